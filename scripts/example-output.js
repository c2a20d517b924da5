// Checks an example program's output against its expected-output file
// (examples/expected/<name>.txt), so that CI notices an example that still exits 0 but
// prints something else. The comparison is line by line, exact except that `{*}` in an
// expected line matches any run of characters: for figures that differ between the
// native and the fallback backend or from run to run (sizes of pools, timings).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const WILDCARD = "{*}";

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A RegExp for one expected line: literal text, `{*}` as `.*`. */
function linePattern(expected) {
  return new RegExp(`^${expected.split(WILDCARD).map(escapeRegExp).join(".*")}$`);
}

function lines(text) {
  const all = text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => line.trimEnd());
  while (all.length > 0 && all[all.length - 1] === "") all.pop();
  return all;
}

/**
 * Compares `actual` output with `expected` (the file's text). Returns null when they
 * match, or a message naming the first line that differs.
 */
function compareOutput(expected, actual) {
  const want = lines(expected);
  const got = lines(actual);
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (i >= want.length) return `line ${i + 1}: unexpected extra output ${JSON.stringify(got[i])}`;
    if (i >= got.length) return `line ${i + 1}: output ended; expected ${JSON.stringify(want[i])}`;
    if (!linePattern(want[i]).test(got[i])) {
      return `line ${i + 1}: expected ${JSON.stringify(want[i])}\n        got      ${JSON.stringify(got[i])}`;
    }
  }
  return null;
}

/** The expected-output file of example program `program` (a path under examples/). */
function expectedFile(program) {
  const examples = path.resolve(__dirname, "..", "examples");
  return path.join(examples, "expected", `${path.basename(program, ".js")}.txt`);
}

/** Null when `program`'s output matches its expected file, else the reason. */
function checkExampleOutput(program, stdout) {
  const file = expectedFile(program);
  if (!fs.existsSync(file))
    return `no expected output: create ${path.relative(process.cwd(), file)}`;
  return compareOutput(fs.readFileSync(file, "utf8"), stdout);
}

module.exports = { checkExampleOutput, compareOutput, expectedFile };
