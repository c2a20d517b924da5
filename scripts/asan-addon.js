// The addon under AddressSanitizer and UndefinedBehaviorSanitizer, inside Node: builds a
// sanitizer variant of build/Release/lgalloc.node into build/asan-addon/, then runs mocha
// against it with the sanitizer runtimes preloaded (Node itself is not instrumented, so
// every report comes from the addon or the allocator core it links).
//
//   node scripts/asan-addon.js [--full]     (npm run test:asan)
//
// Without --full it runs the bounded subset `npm test` includes (SUBSET below); --full runs
// every mocha test. Leak detection is off: Node does not free everything at exit. A report
// aborts the process, so it shows as a failed run with the report on stderr.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");

const ROOT = path.resolve(__dirname, "..");
const BUILD_DIR = path.join(ROOT, "build", "asan-addon");
const ADDON = path.join(BUILD_DIR, "build", "Release", "lgalloc.node");
/** What the addon's build reads, relative to the root and to BUILD_DIR alike. */
const SOURCES = ["binding.gyp", "native/binding", "native/core/include", "native/core/src"];
/** The specs `npm test` runs: every binding entry point, workers, GC and the collections. */
const SUBSET = [
  "allocate",
  "region*",
  "transfer",
  "workers",
  "gc",
  "trim",
  "configure",
  "large-vec",
  "column-buffer",
].map((name) => path.join(ROOT, "test", "dist", `${name}.test.js`));
const SANITIZER_FLAGS = "-fsanitize=address,undefined -fno-omit-frame-pointer";

/** Path of one of gcc's sanitizer runtimes, e.g. libasan.so. */
function runtime(name) {
  const result = spawnSync("gcc", [`-print-file-name=${name}`], { encoding: "utf8" });
  const file = result.status === 0 ? result.stdout.trim() : "";
  if (!path.isAbsolute(file) || !fs.existsSync(file)) {
    throw new Error(`gcc has no ${name} (install gcc's sanitizer runtimes)`);
  }
  return fs.realpathSync(file);
}

/** Builds the sanitizer addon; incremental, since the copies keep their timestamps. */
function build() {
  for (const entry of SOURCES) {
    fs.cpSync(path.join(ROOT, entry), path.join(BUILD_DIR, entry), {
      recursive: true,
      preserveTimestamps: true,
    });
  }
  const modules = path.join(BUILD_DIR, "node_modules");
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(ROOT, "node_modules"), modules);
  const nodeGyp = require.resolve("node-gyp/bin/node-gyp.js", { paths: [ROOT] });
  const nodeDir = path.resolve(process.execPath, "../..");
  for (const step of ["configure", "build"]) {
    // Without LTO: the sanitizers instrument each translation unit as compiled.
    const extra = step === "configure" ? ["--", "-Dlgalloc_lto=0"] : [];
    const result = spawnSync(
      process.execPath,
      [nodeGyp, step, `--nodedir=${nodeDir}`, "--jobs=max", "--loglevel=warn", ...extra],
      {
        cwd: BUILD_DIR,
        encoding: "utf8",
        env: { ...process.env, CXXFLAGS: SANITIZER_FLAGS, LDFLAGS: SANITIZER_FLAGS },
      },
    );
    if (result.status !== 0) {
      process.stdout.write(result.stdout ?? "");
      process.stderr.write(result.stderr ?? "");
      throw new Error(`node-gyp ${step} of the sanitizer addon failed`);
    }
  }
}

/** The environment that loads the sanitizer addon into Node (and its child processes). */
function sanitizerEnv() {
  return {
    LD_PRELOAD: [runtime("libasan.so"), runtime("libubsan.so")].join(" "),
    ASAN_OPTIONS: "detect_leaks=0:allow_user_segv_handler=1:abort_on_error=1",
    UBSAN_OPTIONS: "halt_on_error=1:print_stacktrace=1",
    LGALLOC_ADDON_PATH: ADDON,
    LGALLOC_BACKEND: "native",
  };
}

module.exports = { build, sanitizerEnv, SUBSET };

if (require.main === module) {
  const { values } = parseArgs({ options: { full: { type: "boolean" } }, strict: true });
  try {
    build();
    const mocha = require.resolve("mocha/bin/mocha.js", { paths: [ROOT] });
    const specs = values.full ? [path.join(ROOT, "test", "dist", "**", "*.test.js")] : SUBSET;
    const result = spawnSync(
      process.execPath,
      ["--expose-gc", mocha, "--no-config", "--timeout", "300000", ...specs],
      { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...sanitizerEnv() } },
    );
    process.exitCode = result.status === 0 ? 0 : 1;
  } catch (error) {
    console.error(`asan-addon: ${error.message}`);
    process.exitCode = 1;
  }
}
