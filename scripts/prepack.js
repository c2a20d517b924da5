// The `prepack` / `postpack` step of every package under packages/ (npm runs it with the
// package directory as the working directory): puts into the package what its tarball needs
// beyond the committed files, and takes it out again after packing.
//
//   node ../../scripts/prepack.js           before packing
//   node ../../scripts/prepack.js --clean   after packing (postpack)
//
// Every package gets its TypeScript build (tsc -b). @lgalloc/core also gets the native addon: built for the running Node
// (incrementally, offline: scripts/build-addon.js) and placed where
// node-gyp-build finds it, prebuilds/<platform>-<arch>/node.abi<ABI>.<libc>.node; plus the
// sources and binding.gyp that building from source at install needs elsewhere.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");
const { buildAddon } = require("./build-addon.js");

const ROOT = path.resolve(__dirname, "..");
/** What building the addon from source needs, relative to the root and the package alike. */
const NATIVE_SOURCES = ["binding.gyp", "native/binding", "native/core/include", "native/core/src"];

/** The files and directories this script puts into `pkg`, so that --clean takes them out. */
function generated(pkg) {
  const names = isCore(pkg) ? ["prebuilds", "native", "binding.gyp"] : [];
  return names.map((name) => path.join(pkg, name));
}

function isCore(pkg) {
  return path.resolve(pkg) === path.join(ROOT, "packages", "core");
}

/** `glibc` or `musl`, as node-gyp-build tells them apart. */
function libc() {
  const report = process.report?.getReport?.();
  return report?.header?.glibcVersionRuntime ? "glibc" : "musl";
}

/** File name node-gyp-build picks for this runtime: node.abi115.glibc.node on Node 20. */
function prebuildName() {
  return `node.abi${process.versions.modules}.${libc()}.node`;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.error?.message ?? result.status})`,
    );
  }
}

function packCore(pkg) {
  if (!buildAddon({ quiet: true })) throw new Error("the native addon did not build");
  const target = path.join(pkg, "prebuilds", `${process.platform}-${process.arch}`);
  fs.rmSync(path.join(pkg, "prebuilds"), { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  const addon = path.join(target, prebuildName());
  fs.copyFileSync(path.join(ROOT, "build", "Release", "lgalloc.node"), addon);
  for (const entry of NATIVE_SOURCES) {
    const to = path.join(pkg, entry);
    fs.rmSync(to, { recursive: true, force: true });
    fs.cpSync(path.join(ROOT, entry), to, { recursive: true });
  }
}

function prepack(pkg) {
  clean(pkg);
  const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
  run(process.execPath, [tsc, "-b", pkg]);
  if (isCore(pkg)) packCore(pkg);
}

function clean(pkg) {
  for (const file of generated(pkg)) fs.rmSync(file, { recursive: true, force: true });
}

if (require.main === module) {
  const { values } = parseArgs({ options: { clean: { type: "boolean" } }, strict: true });
  const pkg = process.cwd();
  if (path.dirname(pkg) !== path.join(ROOT, "packages")) {
    console.error(`prepack: run it from a package directory under ${path.join(ROOT, "packages")}`);
    process.exitCode = 2;
  } else if (values.clean) {
    clean(pkg);
  } else {
    try {
      prepack(pkg);
    } catch (error) {
      console.error(`prepack of ${path.basename(pkg)}: ${error.message}`);
      process.exitCode = 1;
    }
  }
}
