// Lint and format for both languages: prettier for the TypeScript, JavaScript, JSON and
// Markdown files, clang-format for the C++ under native/. `npm run lint` checks (and
// `npm test` counts it as one test); `npm run format` rewrites the files in place.
//
// Usage: node scripts/lint.js [--write]
//
// Which files: prettier skips what .gitignore and .prettierignore list (build output,
// node_modules, the lockfile). clang-format takes every C/C++ source and header under
// native/, in the style of the root .clang-format. The clang-format binary comes from the
// npm package clang-format-node (a pinned release for each platform), so the lint needs no
// system package and gives the same verdict on every machine.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");

const PRETTIER_PATTERNS = ["**/*.{ts,js,cjs,mjs,json,md}"];
const CXX_EXTENSIONS = new Set([".h", ".hh", ".hpp", ".c", ".cc", ".cpp"]);
const SKIPPED_DIRS = new Set(["build", "node_modules", ".git"]);
/** clang-format gets its files in batches, to stay below the argument length limit. */
const CLANG_FORMAT_BATCH = 200;

function runPrettier(write) {
  const prettier = require.resolve("prettier/bin/prettier.cjs", {
    paths: [ROOT],
  });
  const mode = write ? "--write" : "--check";
  const args = [prettier, mode, "--log-level=warn", ...PRETTIER_PATTERNS];
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (result.status === 0) return true;
  console.error(
    write ? "prettier --write failed" : "prettier: files need formatting (npm run format)",
  );
  return false;
}

function cxxFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...cxxFiles(full));
    } else if (CXX_EXTENSIONS.has(path.extname(entry.name))) {
      files.push(path.relative(ROOT, full));
    }
  }
  return files.sort();
}

/** The clang-format binary of clang-format-node, or null (after saying why) without one. */
function clangFormatBinary() {
  try {
    const { clangFormatPath } = require(require.resolve("clang-format-node", { paths: [ROOT] }));
    if (fs.existsSync(clangFormatPath)) return clangFormatPath;
    console.error(`clang-format-node has no binary for ${process.platform}-${process.arch}.`);
  } catch {
    console.error("clang-format-node is not installed: run `npm install` first.");
  }
  return null;
}

function runClangFormat(write) {
  const clangFormat = clangFormatBinary();
  if (clangFormat === null) return false;
  const nativeDir = path.join(ROOT, "native");
  const files = fs.existsSync(nativeDir) ? cxxFiles(nativeDir) : [];
  let ok = true;
  const unformatted = new Set();
  for (let i = 0; i < files.length; i += CLANG_FORMAT_BATCH) {
    const batch = files.slice(i, i + CLANG_FORMAT_BATCH);
    if (write) {
      const result = spawnSync(clangFormat, ["-i", ...batch], { cwd: ROOT, stdio: "inherit" });
      ok = ok && result.status === 0;
      continue;
    }
    // --dry-run reports every misplaced token; list each offending file once instead.
    const result = spawnSync(clangFormat, ["--dry-run", "-Werror", ...batch], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    for (const match of result.stderr.matchAll(/^(.+?):\d+:\d+: (?:error|warning):/gm)) {
      unformatted.add(match[1]);
    }
    if (result.status !== 0 && unformatted.size === 0) process.stderr.write(result.stderr);
    ok = ok && result.status === 0;
  }
  if (!ok) {
    for (const file of unformatted) console.error(`[warn] ${file}`);
    console.error(
      write ? "clang-format -i failed" : "clang-format: files need formatting (npm run format)",
    );
  }
  return ok;
}

/** Checks (or with `write`, rewrites) all sources; returns true when all are clean. */
function lint({ write = false } = {}) {
  const prettierOk = runPrettier(write);
  const clangOk = runClangFormat(write);
  return prettierOk && clangOk;
}

module.exports = { lint };

if (require.main === module) {
  const { values } = require("node:util").parseArgs({
    options: { write: { type: "boolean" } },
    strict: true,
  });
  process.exitCode = lint({ write: values.write }) ? 0 : 1;
}
