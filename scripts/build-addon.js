// Builds the native addon build/Release/lgalloc.node with node-gyp. It is the root
// package's `install` script, so `npm install` runs it once the dependencies are in place,
// and `npm run build:addon` runs it on demand. It compiles against the headers of the Node
// that runs it (--nodedir), so node-gyp never downloads headers and no user-level .npmrc
// setting is needed.
//
// Usage: node scripts/build-addon.js [--clean] [--verbose]
//   By default it runs `node-gyp configure` then `node-gyp build`: incremental, and it
//   leaves the rest of build/ (the CMake builds in build/native/) alone. --clean runs
//   `node-gyp rebuild`, which first deletes all of build/. node-gyp's output is shown only
//   when a step fails, unless --verbose.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");

const ROOT = path.resolve(__dirname, "..");

/** Directory holding include/node/ of the running Node, e.g. /usr for /usr/bin/node. */
function nodeDir() {
  return path.resolve(process.execPath, "../..");
}

function fail(message) {
  console.error(`\nlgalloc: cannot build the native addon: ${message}`);
  console.error(
    "Prerequisites: g++ >= 12, make, python3, and the Node headers " +
      `(${path.join(nodeDir(), "include", "node")}). See README.md.`,
  );
  return false;
}

/**
 * Builds the addon. With `quiet`, node-gyp's output is kept back and printed only when a
 * step fails; otherwise it streams. Returns true on success, false (after printing the
 * reason) on failure.
 */
function buildAddon({ clean = false, quiet = false } = {}) {
  let nodeGyp;
  try {
    nodeGyp = require.resolve("node-gyp/bin/node-gyp.js", { paths: [ROOT] });
  } catch {
    return fail("node-gyp is not installed; run `npm install` first.");
  }
  const dir = nodeDir();
  if (!fs.existsSync(path.join(dir, "include", "node", "common.gypi"))) {
    return fail(`no Node headers in ${path.join(dir, "include", "node")}.`);
  }
  const steps = clean ? [["rebuild"]] : [["configure"], ["build"]];
  for (const [command] of steps) {
    const args = [nodeGyp, command, `--nodedir=${dir}`, "--jobs=max"];
    if (quiet) args.push("--loglevel=warn");
    const result = spawnSync(process.execPath, args, {
      cwd: ROOT,
      stdio: quiet ? "pipe" : "inherit",
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (quiet && (result.error || result.status !== 0)) {
      process.stdout.write(result.stdout ?? "");
      process.stderr.write(result.stderr ?? "");
    }
    if (result.error) {
      return fail(`node-gyp ${command} could not start: ${result.error.message}`);
    }
    if (result.status !== 0) {
      const how = result.signal ? `was killed by ${result.signal}` : `exited with ${result.status}`;
      return fail(`node-gyp ${command} ${how} (its output is above).`);
    }
  }
  return true;
}

module.exports = { buildAddon };

if (require.main === module) {
  const { values } = parseArgs({
    options: { clean: { type: "boolean" }, verbose: { type: "boolean" } },
    strict: true,
  });
  const started = Date.now();
  const ok = buildAddon({ clean: values.clean, quiet: !values.verbose });
  if (ok) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`lgalloc: native addon ready (build/Release/lgalloc.node, ${seconds} s)`);
  }
  process.exitCode = ok ? 0 : 1;
}
