// The install script of @lgalloc/core. npm 11 runs it only where the user allows this
// package's install scripts (`npm install-scripts approve @lgalloc/core`, or
// `npm rebuild @lgalloc/core --foreground-scripts`); without it the prebuilt addon or the JS
// fallback serve, so it is never required.
//
// It does nothing when an addon for this runtime already loads (the prebuilt one in
// prebuilds/, or an earlier build). Otherwise it builds the addon from the sources in this
// package with node-gyp, into build/Release where the loader looks first. A failed build
// does not fail the install: it prints why, and the JS fallback backend serves (announced
// by a warning when the package loads).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const PACKAGE_ROOT = path.resolve(__dirname, "..");

/** The package sits in the source tree, whose root `npm install` builds the addon itself. */
function inSourceTree() {
  const root = path.resolve(PACKAGE_ROOT, "../..");
  return (
    fs.existsSync(path.join(root, "binding.gyp")) &&
    path.join(root, "packages", "core") === PACKAGE_ROOT
  );
}

/** Why no addon loads here, or null when one does. */
function addonProblem() {
  try {
    require(require("node-gyp-build").resolve(PACKAGE_ROOT));
    return null;
  } catch (error) {
    return String(error.message).split("\n")[0];
  }
}

/** node-gyp as npm provides it to lifecycle scripts, else an installed copy. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  try {
    return require.resolve("node-gyp/bin/node-gyp.js");
  } catch {
    return null;
  }
}

function build() {
  const gyp = nodeGyp();
  if (gyp === null) return "node-gyp is not available";
  const args = [gyp, "rebuild", "--loglevel=warn"];
  // The running Node's own headers, when present, spare node-gyp a download.
  const nodeDir = path.resolve(process.execPath, "../..");
  if (fs.existsSync(path.join(nodeDir, "include", "node", "common.gypi"))) {
    args.push(`--nodedir=${nodeDir}`);
  }
  const result = spawnSync(process.execPath, args, { cwd: PACKAGE_ROOT, encoding: "utf8" });
  if (result.status === 0) return null;
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n");
  console.error(output.slice(-20).join("\n"));
  return result.error ? result.error.message : `node-gyp exited with ${result.status}`;
}

if (!inSourceTree()) {
  const problem = addonProblem();
  if (problem !== null) {
    console.log(`@lgalloc/core: no prebuilt addon fits (${problem}); building from source`);
    const failure = build();
    if (failure === null) {
      console.log("@lgalloc/core: built the native addon from source");
    } else {
      console.error(
        `@lgalloc/core: could not build the native addon (${failure}); the JS fallback ` +
          "backend will serve. Needs a C++20 compiler, make and python3.",
      );
    }
  }
}
