// Builds and runs the native allocator core's test suite and benchmark with CMake
// (native/CMakeLists.txt: targets lgalloc_core_tests and lgalloc_bench, option
// LGALLOC_SANITIZE). Used by `npm test` (through scripts/test.js), `npm run bench:native`,
// and by hand:
//
//   node scripts/native.js test [variant...]   variants: release (default), asan-ubsan, tsan,
//                                              assertions
//   node scripts/native.js bench [-- args]     builds the release variant, runs the benchmark
//
// Each variant builds in build/native/<variant>, so rebuilding is incremental. Test results
// come from googletest's JSON report, not from its console output.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");

/**
 * Build variants: name -> CMake options. `sanitize` is LGALLOC_SANITIZE; `cxxAssertions`
 * turns on LGALLOC_CXX_ASSERTIONS (-D_GLIBCXX_ASSERTIONS, as hardened distribution builds
 * compile, so that undefined behaviour such as reading an empty std::optional aborts a test);
 * `lto` is LGALLOC_LTO, link-time optimisation as the shipped addon is built (issue 13),
 * passed explicitly so that a build directory configured before keeps no stale setting.
 */
const VARIANTS = {
  release: { sanitize: "", cxxAssertions: false, lto: true },
  "asan-ubsan": { sanitize: "address,undefined", cxxAssertions: false, lto: false },
  tsan: { sanitize: "thread", cxxAssertions: false, lto: false },
  assertions: { sanitize: "", cxxAssertions: true, lto: true },
};

/**
 * Sanitizer settings for the test binary. Leaks fail the run; the first UBSan or TSan
 * report stops it with a stack trace, so a report is never lost in a passing run.
 */
const SANITIZER_ENV = {
  ASAN_OPTIONS: "detect_leaks=1:abort_on_error=0",
  UBSAN_OPTIONS: "halt_on_error=1:print_stacktrace=1",
  TSAN_OPTIONS: "halt_on_error=1:second_deadlock_stack=1",
};

/** A test binary still running after this long counts as a failure (e.g. a deadlock). */
const TEST_TIMEOUT_MS = 30 * 60 * 1000;

/** What installs every prerequisite of the native suites on Debian or Ubuntu. */
const INSTALL_COMMAND = "apt-get install -y cmake googletest libgtest-dev";

/** True when `cmake` runs. */
function hasCmake() {
  return !spawnSync("cmake", ["--version"], { stdio: "ignore" }).error;
}

/** The prerequisites of the native test suites that are missing here, by name. */
function missingPrerequisites() {
  const missing = [];
  if (!hasCmake()) missing.push("cmake");
  if (!hasGoogletest()) missing.push("googletest");
  return missing;
}

/** True when googletest's headers and its library (or its sources) are installed. */
function hasGoogletest() {
  const prefixes = ["/usr", "/usr/local"];
  if (process.env.GTEST_ROOT) prefixes.unshift(process.env.GTEST_ROOT);
  const header = prefixes.some((p) => fs.existsSync(path.join(p, "include/gtest/gtest.h")));
  if (!header) return false;
  const libDirs = [];
  for (const prefix of prefixes) {
    for (const lib of ["lib", "lib64"]) {
      const dir = path.join(prefix, lib);
      libDirs.push(dir);
      // Debian's multiarch directories, e.g. /usr/lib/x86_64-linux-gnu.
      for (const sub of safeReaddir(dir)) {
        if (sub.endsWith("-linux-gnu")) libDirs.push(path.join(dir, sub));
      }
    }
  }
  const library = libDirs.some((dir) => safeReaddir(dir).some((f) => /^libgtest\.(a|so)/.test(f)));
  return library || fs.existsSync("/usr/src/googletest/CMakeLists.txt");
}

function safeReaddir(dir) {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Runs a command with inherited stdio; returns null on success or a one-line reason. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: "inherit",
    ...options,
  });
  const name = path.basename(command);
  if (result.error) {
    if (result.error.code === "ENOENT") {
      return command === "cmake"
        ? "cmake not found: apt-get install -y cmake"
        : `${command} not found`;
    }
    if (result.error.code === "ETIMEDOUT") return `${name} timed out`;
    return `${name} could not run: ${result.error.message}`;
  }
  if (result.signal) return `${name} was killed by ${result.signal}`;
  if (result.status !== 0) return `${name} exited with ${result.status}`;
  return null;
}

/**
 * Configures and builds one variant (with the googletest suite unless `tests` is false, and
 * only `target` when given); returns null on success or the reason it failed.
 */
function buildVariant(variant, root, { tests = true, target } = {}) {
  const dir = path.join(root, "build", "native", variant);
  const configure = run(
    "cmake",
    [
      "-S",
      path.join(root, "native"),
      "-B",
      dir,
      "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
      `-DLGALLOC_SANITIZE=${VARIANTS[variant].sanitize}`,
      `-DLGALLOC_CXX_ASSERTIONS=${VARIANTS[variant].cxxAssertions ? "ON" : "OFF"}`,
      `-DLGALLOC_LTO=${VARIANTS[variant].lto ? "ON" : "OFF"}`,
      `-DLGALLOC_BUILD_TESTS=${tests ? "ON" : "OFF"}`,
    ],
    { cwd: root },
  );
  if (configure) return `configure failed: ${configure}`;
  const targetArgs = target ? ["--target", target] : [];
  const build = run("cmake", ["--build", dir, "-j2", ...targetArgs], { cwd: root });
  return build ? `build failed: ${build}` : null;
}

/**
 * Counts a googletest JSON report's tests. A test with a failure record failed; one that
 * called GTEST_SKIP or is disabled (not run) was skipped; every other test passed.
 */
function parseGtestReport(file) {
  const report = JSON.parse(fs.readFileSync(file, "utf8"));
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const suite of report.testsuites ?? []) {
    for (const test of suite.testsuite ?? []) {
      if ((test.failures ?? []).length > 0) counts.failed += 1;
      else if (test.result === "SKIPPED" || test.status === "NOTRUN") counts.skipped += 1;
      else counts.passed += 1;
    }
  }
  return counts;
}

/** Builds and runs the test suite of one variant; returns its counts (never throws). */
function testVariant(variant, root) {
  const result = {
    suite: `native:${variant}`,
    passed: 0,
    failed: 0,
    skipped: 0,
    note: "",
  };
  const buildError = buildVariant(variant, root);
  if (buildError) {
    return { ...result, failed: 1, note: buildError };
  }
  const dir = path.join(root, "build", "native", variant);
  const report = path.join(dir, "results.json");
  // A stale report from an earlier run must not stand in for this one.
  fs.rmSync(report, { force: true });
  const runError = run(path.join(dir, "lgalloc_core_tests"), [`--gtest_output=json:${report}`], {
    cwd: root,
    env: { ...process.env, ...SANITIZER_ENV },
    timeout: TEST_TIMEOUT_MS,
  });
  let counts = null;
  try {
    counts = parseGtestReport(report);
  } catch (error) {
    result.note = `no readable results (${error.code ?? error.message})`;
  }
  if (counts) Object.assign(result, counts);
  // A crash or a sanitizer report at exit (leaks are reported after the JSON is written)
  // shows only in the exit status: it is at least one failure.
  if (runError) {
    result.failed = Math.max(result.failed, 1);
    result.note = [runError, result.note].filter(Boolean).join("; ");
  } else if (counts && counts.passed + counts.failed + counts.skipped === 0) {
    result.failed = 1;
    result.note = "no tests ran";
  }
  return result;
}

/**
 * Builds and runs the native test suite for each variant, printing each build's output and
 * a summary line per variant. Returns one `{suite, passed, failed, skipped, note}` per
 * variant; a variant that fails to build, crashes or runs no test has failed >= 1.
 */
function runTests(variants = ["release"], { root = ROOT } = {}) {
  for (const variant of variants) {
    if (!(variant in VARIANTS)) {
      throw new Error(
        `unknown native variant "${variant}"; expected one of: ${Object.keys(VARIANTS).join(", ")}`,
      );
    }
  }
  const missing = variants.length > 0 ? missingPrerequisites() : [];
  if (missing.length > 0) {
    // Under CI the native suites are required; elsewhere (a developer's machine with only
    // Node and a compiler) they are reported as skipped, with what installs them.
    const required = process.env.CI === "true";
    const note = `${missing.join(" and ")} not found: ${INSTALL_COMMAND}`;
    console.error(`native suites ${required ? "cannot run (CI=true)" : "skipped"}: ${note}`);
    return variants.map((v) => ({
      suite: `native:${v}`,
      passed: 0,
      failed: required ? 1 : 0,
      skipped: required ? 0 : 1,
      note,
    }));
  }
  const results = [];
  for (const variant of variants) {
    console.log(`\n=== native tests: ${variant} ===`);
    const result = testVariant(variant, root);
    const note = result.note ? ` (${result.note})` : "";
    console.log(
      `native:${variant}: ${result.passed} passed, ${result.failed} failed, ` +
        `${result.skipped} skipped${note}`,
    );
    results.push(result);
  }
  return results;
}

/**
 * Builds the release variant's benchmark (googletest is not needed for it) and runs it;
 * returns its exit status.
 */
function runBench(args = [], { root = ROOT } = {}) {
  if (!hasCmake()) {
    console.error("cmake not found: apt-get install -y cmake");
    return 1;
  }
  const buildError = buildVariant("release", root, {
    tests: hasGoogletest(),
    target: "lgalloc_bench",
  });
  if (buildError) {
    console.error(`native bench: ${buildError}`);
    return 1;
  }
  const bench = path.join(root, "build", "native", "release", "lgalloc_bench");
  const runError = run(bench, args, { cwd: root });
  if (runError) {
    console.error(`native bench: ${runError}`);
    return 1;
  }
  return 0;
}

module.exports = {
  VARIANTS,
  runTests,
  runBench,
  parseGtestReport,
  hasGoogletest,
  missingPrerequisites,
  INSTALL_COMMAND,
};

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  if (command === "test") {
    const variants = rest.length > 0 ? rest : ["release"];
    const unknown = variants.filter((v) => !(v in VARIANTS));
    if (unknown.length > 0) {
      console.error(`unknown native variant: ${unknown.join(", ")}`);
      process.exitCode = 2;
    } else {
      const results = runTests(variants);
      process.exitCode = results.every((r) => r.failed === 0) ? 0 : 1;
    }
  } else if (command === "bench") {
    process.exitCode = runBench(rest[0] === "--" ? rest.slice(1) : rest);
  } else {
    console.error(
      "usage: node scripts/native.js test [release|asan-ubsan|tsan|assertions ...]\n" +
        "       node scripts/native.js bench [-- benchmark args]",
    );
    process.exitCode = 2;
  }
}
