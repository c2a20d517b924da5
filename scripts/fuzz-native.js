// Coverage-guided fuzzing of the native allocator core with libFuzzer, AddressSanitizer
// and UndefinedBehaviorSanitizer (clang). The target (native/fuzz/) decodes each input into
// a program of allocator calls and checks the invariants after every step.
//
//   npm run fuzz:native -- [--seconds N] [--jobs N] [--scratch]
//
// Builds build/native/fuzz/allocator_fuzzer, then fuzzes for N seconds (default 60) from
// the corpus in native/fuzz/corpus, which it grows (libFuzzer keeps every input that
// reaches new code; commit them). A crash is written to native/fuzz/crashes/ and the run
// fails; after the fix, commit the reproducer (--scratch keeps new inputs in a temporary
// folder instead, leaving the committed corpus as it is: what `npm run stress` uses): the googletest suite replays both folders
// (native/tests/fuzz_corpus_test.cc). Needs clang with its sanitizer runtimes:
// `apt-get install -y clang libclang-rt-14-dev` on Debian 12.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");

const ROOT = path.resolve(__dirname, "..");
const FUZZ_DIR = path.join(ROOT, "native", "fuzz");
const OUT_DIR = path.join(ROOT, "build", "native", "fuzz");
const BINARY = path.join(OUT_DIR, "allocator_fuzzer");

/** clang++ from PATH, or a versioned one Debian installs. */
function clang() {
  for (const name of ["clang++", "clang++-16", "clang++-15", "clang++-14"]) {
    if (!spawnSync(name, ["--version"], { stdio: "ignore" }).error) return name;
  }
  return null;
}

function build() {
  const compiler = clang();
  if (compiler === null) {
    throw new Error("clang++ not found: apt-get install -y clang libclang-rt-14-dev");
  }
  const coreSources = fs
    .readdirSync(path.join(ROOT, "native", "core", "src"))
    .filter((file) => file.endsWith(".cc"))
    .map((file) => path.join(ROOT, "native", "core", "src", file));
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const args = [
    "-std=c++20",
    "-g",
    "-O1",
    "-fno-omit-frame-pointer",
    "-fsanitize=fuzzer,address,undefined",
    "-fno-sanitize-recover=all",
    "-DLGALLOC_DEBUG=1",
    `-I${path.join(ROOT, "native", "core", "include")}`,
    `-I${path.join(ROOT, "native", "core", "src")}`,
    ...coreSources,
    path.join(FUZZ_DIR, "fuzz_program.cc"),
    path.join(FUZZ_DIR, "allocator_fuzzer.cc"),
    "-lpthread",
    "-o",
    BINARY,
  ];
  const result = spawnSync(compiler, args, { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${compiler} failed (${result.status})`);
}

function fuzz(seconds, jobs, scratch) {
  const corpus = path.join(FUZZ_DIR, "corpus");
  const crashes = path.join(FUZZ_DIR, "crashes");
  fs.mkdirSync(corpus, { recursive: true });
  fs.mkdirSync(crashes, { recursive: true });
  const args = [
    `-max_total_time=${seconds}`,
    `-artifact_prefix=${crashes}${path.sep}`,
    "-print_final_stats=1",
    "-max_len=4096",
    "-rss_limit_mb=4096",
    // libFuzzer adds what it finds to the first folder and only reads the others.
    ...(scratch ? [fs.mkdtempSync(path.join(require("node:os").tmpdir(), "lgalloc-fuzz-"))] : []),
    corpus,
  ];
  if (jobs > 1) args.unshift(`-fork=${jobs}`);
  const result = spawnSync(BINARY, args, {
    stdio: "inherit",
    env: {
      ...process.env,
      ASAN_OPTIONS: "detect_leaks=1:abort_on_error=1",
      UBSAN_OPTIONS: "halt_on_error=1:print_stacktrace=1",
    },
  });
  return result.status === 0;
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "60" },
      jobs: { type: "string", default: "1" },
      scratch: { type: "boolean", default: false },
    },
    strict: true,
  });
  const seconds = Number(values.seconds);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(seconds) || seconds < 1 || !Number.isInteger(jobs) || jobs < 1) {
    console.error("fuzz-native: --seconds and --jobs take positive integers");
    process.exitCode = 2;
  } else {
    try {
      build();
      process.exitCode = fuzz(seconds, jobs, values.scratch) ? 0 : 1;
    } catch (error) {
      console.error(`fuzz-native: ${error.message}`);
      process.exitCode = 1;
    }
  }
}
