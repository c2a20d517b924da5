// The `npm test` entry point. Runs every suite in order and sums their results:
//   1. lint (prettier + clang-format), counted as one test;
//   2. the native core's googletest suite per build variant (release, asan-ubsan, tsan,
//      assertions); reported as skipped where cmake or googletest is missing, except under
//      CI=true;
//   3. the TypeScript build (addon, incrementally, then `tsc -b`), then the mocha tests
//      twice, against the native backend and against the JS fallback (LGALLOC_BACKEND);
//   4. the type tests (tsc --noEmit over test/types), then the API docs (`npm run docs`:
//      TypeDoc over every package, any warning, e.g. an undocumented export, fails it);
//   5. every example program (examples/*.js and the compiled examples/dist/*.js), once per
//      backend, each run counted as one test: it must exit 0 and print its expected output;
//   6. the README's code blocks, each one a part of an example (scripts/check-readme.js);
//   7. the install test (test/install): the packages packed, installed into a project
//      outside the repository and run there.
//   8. the short profile of the stress scenarios (test/stress, scripts/stress.js).
//   9. a bounded subset of mocha against the addon built with ASan + UBSan, loaded into
//      Node (scripts/asan-addon.js; `--tier asan` runs it alone).
// It prints a table per suite and ends with the line `N passed, N failed` (plus
// `, N skipped` when tests were skipped), which CI reads. Exits 1 when anything failed or
// a suite produced no results.
//
// Usage: node scripts/test.js [--tier all|js|native|asan|install|stress|lint] [variant...]
//   `npm test` is the full run (tier all, what CI calls); `npm run test:js` runs mocha on
//   both backends and the examples; `npm run test:native [-- variant...]` the googletest
//   suites; `npm run test:install` the install test.
// LGALLOC_NATIVE_VARIANTS (or positional variants) restricts the native variants, e.g.
// `release` or `release,tsan`; `none` skips the native suites.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");
const native = require("./native.js");
const { buildAddon } = require("./build-addon.js");
const { checkExampleOutput } = require("./example-output.js");
const { checkReadme } = require("./check-readme.js");

const ROOT = path.resolve(__dirname, "..");
const MOCHA_RESULTS = path.join(ROOT, "build", "mocha.json");

const TIERS = ["all", "js", "native", "asan", "install", "stress", "lint"];

function nativeVariants(positionals) {
  const value =
    positionals.length > 0 ? positionals.join(",") : process.env.LGALLOC_NATIVE_VARIANTS;
  if (value === undefined || value.trim() === "") return Object.keys(native.VARIANTS);
  const names = value.split(/[\s,]+/).filter(Boolean);
  if (names.length === 1 && names[0] === "none") return [];
  const unknown = names.filter((name) => !(name in native.VARIANTS));
  if (unknown.length > 0) {
    const known = [...Object.keys(native.VARIANTS), "none"].join(", ");
    throw new Error(
      `LGALLOC_NATIVE_VARIANTS: unknown variant ${unknown.join(", ")}; expected ${known}`,
    );
  }
  return names;
}

function heading(title) {
  console.log(`\n=== ${title} ===`);
}

/** Runs `node <args>` in the repository root with inherited stdio; true on exit 0. */
function node(args, env = process.env) {
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env,
    stdio: "inherit",
  });
  return result.status === 0;
}

function lintSuite() {
  heading("lint");
  const ok = node([path.join(__dirname, "lint.js")]);
  return {
    suite: "lint",
    passed: ok ? 1 : 0,
    failed: ok ? 0 : 1,
    skipped: 0,
    note: "",
  };
}

function buildTypeScript() {
  heading("build (addon + TypeScript)");
  const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
  return buildAddon({ quiet: true }) && node([tsc, "-b"]);
}

/**
 * Runs the mocha suite with one backend: `native` (the addon) or `fallback` (JS-pooled
 * ArrayBuffers, forced through LGALLOC_BACKEND), so that both keep the same contract.
 */
function mochaSuite(backend, built) {
  return runMocha(`mocha (${backend})`, built, [], { LGALLOC_BACKEND: backend });
}

/**
 * The install test: plain JavaScript under test/install, run by mocha in a process of its
 * own, without the repository's .mocharc (whose specs are the compiled package tests).
 */
function installSuite(built) {
  const spec = path.join(ROOT, "test", "install", "*.test.js");
  return runMocha("install", built, ["--no-config", "--timeout", "600000", spec], {
    LGALLOC_BACKEND: "",
  });
}

/**
 * A bounded subset of the mocha tests against the addon built with AddressSanitizer and
 * UndefinedBehaviorSanitizer, loaded into Node (scripts/asan-addon.js; `--full` there runs
 * everything). A sanitizer report aborts mocha, which counts as a failure.
 */
function asanSuite(built) {
  const asan = require("./asan-addon.js");
  if (built) {
    heading("build (addon with ASan + UBSan)");
    try {
      asan.build();
    } catch (error) {
      return {
        suite: "mocha (native, ASan)",
        passed: 0,
        failed: 1,
        skipped: 0,
        note: error.message,
      };
    }
  }
  const args = ["--no-config", "--node-option", "expose-gc", "--timeout", "300000", ...asan.SUBSET];
  return runMocha("mocha (native, ASan)", built, args, asan.sanitizerEnv());
}

/**
 * The short profile of `npm run stress` (scripts/stress.js): each scenario, in its own
 * process, counts as one test; its table is printed.
 */
function stressSuite(built) {
  const result = { suite: "stress (short)", passed: 0, failed: 0, skipped: 0, note: "" };
  if (!built) return { ...result, failed: 1, note: "not run: the build failed" };
  heading("stress (short profile)");
  const { stress, printTable } = require("./stress.js");
  const rows = stress({ profile: "short" });
  console.log("");
  printTable(rows);
  for (const row of rows) result[row.passed ? "passed" : "failed"] += 1;
  if (rows.length === 0) return { ...result, failed: 1, note: "no scenarios ran" };
  return result;
}

/** Runs mocha with `args` and `env` and returns its counts as suite `name`. */
function runMocha(name, built, args, env) {
  const result = { suite: name, passed: 0, failed: 0, skipped: 0, note: "" };
  if (!built) return { ...result, failed: 1, note: "not run: the build failed" };
  heading(name);
  // A stale result file from an earlier run must not stand in for this one.
  fs.rmSync(MOCHA_RESULTS, { force: true });
  const mocha = require.resolve("mocha/bin/mocha.js", { paths: [ROOT] });
  const reporter = path.join(ROOT, "test", "reporter.js");
  const exitedOk = node(
    [mocha, "--reporter", reporter, "--reporter-option", `output=${MOCHA_RESULTS}`, ...args],
    { ...process.env, ...env },
  );
  let counts;
  try {
    counts = JSON.parse(fs.readFileSync(MOCHA_RESULTS, "utf8"));
  } catch {
    return { ...result, failed: 1, note: "no results: mocha did not finish" };
  }
  Object.assign(result, counts);
  if (result.passed + result.failed + result.skipped === 0) {
    return { ...result, failed: 1, note: "no tests ran" };
  }
  if (!exitedOk && result.failed === 0) {
    return { ...result, failed: 1, note: "mocha exited with an error" };
  }
  return result;
}

/**
 * Runs every example program (examples/*.js, and examples/dist/*.js compiled from
 * examples/ts) once per backend; a run passes when it exits 0 and its output matches
 * examples/expected/<name>.txt (scripts/example-output.js).
 */
function examplesSuite(built) {
  const result = { suite: "examples", passed: 0, failed: 0, skipped: 0, note: "" };
  if (!built) return { ...result, failed: 1, note: "not run: the build failed" };
  heading("examples");
  const dir = path.join(ROOT, "examples");
  const listPrograms = (sub) =>
    fs.existsSync(path.join(dir, sub))
      ? fs
          .readdirSync(path.join(dir, sub))
          .filter((name) => name.endsWith(".js"))
          .sort()
          .map((name) => path.join(sub, name))
      : [];
  const programs = [...listPrograms("."), ...listPrograms("dist")];
  for (const program of programs) {
    // An example may take arguments for CI (e.g. the demo's smaller size): one line in
    // examples/expected/<name>.args.
    const argsFile = path.join(dir, "expected", `${path.basename(program, ".js")}.args`);
    const args = fs.existsSync(argsFile)
      ? fs.readFileSync(argsFile, "utf8").trim().split(/\s+/).filter(Boolean)
      : [];
    for (const backend of ["native", "fallback"]) {
      const run = spawnSync(process.execPath, [path.join(dir, program), ...args], {
        cwd: ROOT,
        env: { ...process.env, LGALLOC_BACKEND: backend },
        encoding: "utf8",
        timeout: 120_000,
      });
      const mismatch = run.status === 0 ? checkExampleOutput(program, run.stdout) : null;
      const ok = run.status === 0 && mismatch === null;
      console.log(`${ok ? "  ok  " : "  FAIL"} ${path.normalize(program)} (${backend})`);
      if (!ok) {
        const why = mismatch ?? `${run.stdout}${run.stderr}`.trimEnd();
        console.log(why.replace(/^/gm, "      "));
      }
      result[ok ? "passed" : "failed"] += 1;
    }
  }
  if (programs.length === 0) return { ...result, failed: 1, note: "no examples found" };
  return result;
}

/**
 * The type tests: `tsc --noEmit -p test/types` over files of expectations about the public
 * declarations (test/types/tsconfig.json); each file without a diagnostic passes.
 */
function typesSuite(built) {
  const result = { suite: "types", passed: 0, failed: 0, skipped: 0, note: "" };
  if (!built) return { ...result, failed: 1, note: "not run: the build failed" };
  heading("types (tsc --noEmit -p test/types)");
  const dir = path.join(ROOT, "test", "types");
  const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
  const run = spawnSync(process.execPath, [tsc, "--noEmit", "-p", dir, "--pretty", "false"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  const output = `${run.stdout}${run.stderr}`;
  const files = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".ts"))
    .sort();
  for (const file of files) {
    const diagnostics = output.split("\n").filter((line) => line.startsWith(`test/types/${file}(`));
    const ok = diagnostics.length === 0;
    console.log(`${ok ? "  ok  " : "  FAIL"} test/types/${file}`);
    for (const line of diagnostics) console.log(`      ${line}`);
    result[ok ? "passed" : "failed"] += 1;
  }
  // Diagnostics tsc reports outside the expectation files (e.g. in a .d.ts, or a bad
  // tsconfig) fail the suite too.
  if (run.status !== 0 && result.failed === 0) {
    console.log(output.trimEnd().replace(/^/gm, "      "));
    return { ...result, failed: 1, note: "tsc failed outside the expectation files" };
  }
  if (files.length === 0) return { ...result, failed: 1, note: "no type tests found" };
  return result;
}

/**
 * The API docs: TypeDoc (typedoc.json) over every package's entry points, with warnings as
 * errors, so an export without a doc comment fails `npm test`, counted as one test.
 */
function docsSuite(built) {
  const result = { suite: "docs", passed: 0, failed: 0, skipped: 0, note: "" };
  if (!built) return { ...result, failed: 1, note: "not run: the build failed" };
  heading("docs (typedoc, warnings as errors)");
  // typedoc's package exports hide its bin: resolve the package, then the bin beside it.
  const typedocPackage = require.resolve("typedoc/package.json", { paths: [ROOT] });
  const typedoc = path.join(path.dirname(typedocPackage), "bin", "typedoc");
  const run = spawnSync(process.execPath, [typedoc], { cwd: ROOT, encoding: "utf8" });
  const ok = run.status === 0;
  console.log(`${ok ? "  ok  " : "  FAIL"} npm run docs`);
  if (!ok) console.log(`${run.stdout}${run.stderr}`.trimEnd().replace(/^/gm, "      "));
  result[ok ? "passed" : "failed"] += 1;
  return result;
}

/** Every js/ts code block of README.md must be a part of an example CI runs. */
function readmeSuite() {
  const result = { suite: "readme snippets", passed: 0, failed: 0, skipped: 0, note: "" };
  heading("readme snippets (scripts/check-readme.js)");
  const checks = checkReadme(path.join(ROOT, "README.md"));
  for (const check of checks) {
    console.log(
      `${check.ok ? "  ok  " : "  FAIL"} README.md:${check.line} ${check.example ?? ""} ${check.reason}`.trimEnd(),
    );
    result[check.ok ? "passed" : "failed"] += 1;
  }
  if (checks.length === 0) return { ...result, failed: 1, note: "no code blocks checked" };
  return result;
}

function printTable(results) {
  const rows = [["suite", "passed", "failed", "skipped", ""]];
  for (const r of results) {
    rows.push([r.suite, String(r.passed), String(r.failed), String(r.skipped), r.note]);
  }
  const widths = [0, 1, 2, 3].map((col) => Math.max(...rows.map((row) => row[col].length)));
  heading("summary");
  for (const row of rows) {
    const cells = row
      .slice(0, 4)
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])));
    console.log(`${cells.join("  ")}${row[4] ? `  ${row[4]}` : ""}`.trimEnd());
  }
}

function main() {
  const { values, positionals } = parseArgs({
    options: { tier: { type: "string", default: "all" } },
    allowPositionals: true,
    strict: true,
  });
  const tier = values.tier;
  if (!TIERS.includes(tier)) {
    throw new Error(`--tier: unknown tier "${tier}"; expected one of ${TIERS.join(", ")}`);
  }
  if (positionals.length > 0 && tier !== "native") {
    throw new Error(`native variants (${positionals.join(" ")}) are taken by --tier native only`);
  }
  const wants = (name) => tier === "all" || tier === name;
  const results = [];
  if (wants("lint")) results.push(lintSuite());
  const variants = wants("native") ? nativeVariants(positionals) : [];
  if (variants.length > 0) {
    heading(`native (${variants.join(", ")})`);
    results.push(...native.runTests(variants));
  }
  if (wants("js") || wants("asan") || wants("install") || wants("stress")) {
    const built = buildTypeScript();
    if (wants("js")) {
      results.push(
        mochaSuite("native", built),
        mochaSuite("fallback", built),
        typesSuite(built),
        docsSuite(built),
        examplesSuite(built),
        readmeSuite(),
      );
    }
    if (wants("asan")) results.push(asanSuite(built));
    if (wants("install")) results.push(installSuite(built));
    if (wants("stress")) results.push(stressSuite(built));
  }

  printTable(results);
  const total = (key) => results.reduce((sum, r) => sum + r[key], 0);
  const [passed, failed, skipped] = [total("passed"), total("failed"), total("skipped")];
  console.log("");
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.log("0 passed, 1 failed");
  process.exitCode = 1;
}
