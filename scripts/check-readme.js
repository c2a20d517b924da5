// Checks that the README's code snippets are taken from example programs that CI runs, so
// that the README cannot rot: every ```js / ```ts block must follow a marker line
//
//   <!-- example: examples/quick-start.js -->
//
// and its text must appear in that file, verbatim, as whole consecutive lines; only the
// indentation they share may differ (a snippet from inside a function is shown dedented,
// as prettier formats it). Blocks in other languages (sh, text) are not checked. Run: node scripts/check-readme.js [file...]
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const CHECKED_LANGUAGES = new Set(["js", "javascript", "ts", "typescript"]);
const MARKER = /^<!--\s*example:\s*(\S+)\s*-->$/;

/** The fenced code blocks of a Markdown text: language, first line number, body, marker. */
function codeBlocks(markdown) {
  const lines = markdown.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const marker = before >= 0 ? MARKER.exec(lines[before].trim()) : null;
    blocks.push({
      language: open[1],
      line: i + 1,
      body: lines.slice(i + 1, end),
      example: marker ? marker[1] : undefined,
    });
    i = end;
  }
  return blocks;
}

/** The lines without trailing spaces and without the indentation they all share. */
function dedent(lines) {
  const trimmed = lines.map((line) => line.trimEnd());
  const indents = trimmed.filter((line) => line !== "").map((line) => /^ */.exec(line)[0].length);
  const common = indents.length === 0 ? 0 : Math.min(...indents);
  return trimmed.map((line) => line.slice(common));
}

/**
 * True when `needle` lines occur as consecutive whole lines of `haystack`, up to the
 * indentation each side's lines share.
 */
function containsLines(haystack, needle) {
  const want = dedent(needle);
  for (let start = 0; start + want.length <= haystack.length; start++) {
    const window = dedent(haystack.slice(start, start + want.length));
    if (want.every((line, k) => window[k] === line)) return true;
  }
  return false;
}

/** One result per checked block of `file`: `{ line, example, ok, reason }`. */
function checkReadme(file) {
  const results = [];
  for (const block of codeBlocks(fs.readFileSync(file, "utf8"))) {
    if (!CHECKED_LANGUAGES.has(block.language)) continue;
    const where = { line: block.line, example: block.example };
    if (block.example === undefined) {
      results.push({ ...where, ok: false, reason: "no <!-- example: <file> --> marker above it" });
      continue;
    }
    const source = path.resolve(ROOT, block.example);
    if (!fs.existsSync(source)) {
      results.push({ ...where, ok: false, reason: `${block.example} does not exist` });
      continue;
    }
    const ok = containsLines(fs.readFileSync(source, "utf8").split("\n"), block.body);
    results.push({ ...where, ok, reason: ok ? "" : `the block is not a part of ${block.example}` });
  }
  return results;
}

if (require.main === module) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : [path.join(ROOT, "README.md")];
  let failed = 0;
  for (const file of files) {
    for (const r of checkReadme(file)) {
      console.log(
        `${r.ok ? "  ok  " : "  FAIL"} ${path.relative(ROOT, file)}:${r.line} ${r.example ?? ""} ${r.reason}`,
      );
      if (!r.ok) failed++;
    }
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

module.exports = { checkReadme, codeBlocks, containsLines };
