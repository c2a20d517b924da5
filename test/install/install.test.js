// The user's install, as a test: packs every package under packages/ (their prepack
// scripts build what the tarballs need), installs the tarballs offline into a new project
// in the system temp directory, and runs programs there against the installed copies only:
// CommonJS, an ES module, and TypeScript compiled with tsc (module nodenext, `using`,
// `LargeVec<Float64Array>` inference), on the native backend from the prebuilt addon; then
// without that addon, where the JS fallback must serve with one warning; then the addon
// built from source by the package's install script.
//
// Plain JavaScript run by mocha in its own process (scripts/test.js, suite "install"), so
// that nothing of the repository's own build can stand in for the installed packages.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { expect } = require("chai");

const ROOT = path.resolve(__dirname, "../..");
const PACKAGES = fs
  .readdirSync(path.join(ROOT, "packages"))
  .filter((name) => fs.existsSync(path.join(ROOT, "packages", name, "package.json")))
  .map((name) => JSON.parse(fs.readFileSync(path.join(ROOT, "packages", name, "package.json"))));

/** Runs `command` and returns its output; throws with both streams when it fails. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
    ...options,
    env: { ...process.env, ...options.env },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited with ${result.status ?? result.signal}\n` +
        `${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/**
 * npm with no network: everything the project installs must come from the local cache,
 * which installing the repository filled. Inherited npm_* variables of an outer `npm test`
 * would point the inner npm at the repository's workspaces; they are dropped.
 */
function npm(args, cwd, env = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
  );
  return run("npm", [...args, "--offline", "--no-audit", "--no-fund"], {
    cwd,
    env: { ...clean, LGALLOC_BACKEND: "", LGALLOC_ADDON_PATH: "", ...env },
  });
}

function node(args, cwd, env = {}) {
  return run(process.execPath, args, {
    cwd,
    env: { LGALLOC_BACKEND: "", LGALLOC_ADDON_PATH: "", NODE_OPTIONS: "", ...env },
  });
}

/**
 * Tarballs of `names` and everything they depend on, packed from the repository's own
 * node_modules: the project installs them as files, so npm needs neither the network nor
 * registry metadata in its cache (a fresh clone's `npm ci` fetches tarballs only).
 */
function packDependencies(names, packDir) {
  const files = new Map();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.shift();
    if (files.has(name)) continue;
    const dir = path.join(ROOT, "node_modules", name);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    const packed = run(
      "npm",
      ["pack", dir, "--json", "--ignore-scripts", "--pack-destination", packDir],
      { cwd: packDir },
    );
    files.set(name, path.join(packDir, JSON.parse(packed.stdout)[0].filename));
    queue.push(...Object.keys(manifest.dependencies ?? {}));
  }
  return [...files.values()];
}

/** The last JSON line a program printed. */
function lastJson(stdout) {
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

const CJS_PROGRAM = `
const { allocate, backendKind, stats } = require("@lgalloc/core");
const { LargeVec, ColumnBuffer } = require("@lgalloc/collections");
const region = allocate(4 * 2 ** 20);
const view = region.view(Float64Array);
view[0] = 42;
const first = view[0];
region.dispose();
const vec = new LargeVec(Float64Array, 0);
for (let i = 0; i < 1000; i++) vec.push(i);
const sum = vec.reduce ? vec.reduce((a, b) => a + b, 0) : [...vec.values()].reduce((a, b) => a + b, 0);
vec.dispose();
const column = ColumnBuffer.create("utf8");
column.append("a");
column.appendNull();
column.dispose();
// @lgalloc/arrow's builders work without its optional peer apache-arrow (not installed).
const { pooledTableFromArrays } = require("@lgalloc/arrow");
const table = pooledTableFromArrays({ x: new Float64Array([1.5, 2.5]), s: ["a", "b"] });
const arrowRows = table.numRows;
table.dispose();
console.log(JSON.stringify({ backend: backendKind(), statsBackend: stats().backend,
  first, detached: view.length, sum, arrowRows }));
`;

const ESM_PROGRAM = `
import { allocate, backendKind } from "@lgalloc/core";
import { LargeVec } from "@lgalloc/collections";
import { PooledTableBuilder } from "@lgalloc/arrow";
const builder = new PooledTableBuilder({ n: "int32" });
builder.appendRow({ n: 7 });
const table = builder.finish();
const rows = table.numRows;
table.dispose();
const region = allocate(2 * 2 ** 20);
region.view(Uint8Array).fill(7);
const seven = region.view(Uint8Array)[123];
region.dispose();
const vec = new LargeVec(Int32Array, 5);
vec.set(4, -3);
console.log(JSON.stringify({ backend: backendKind(), seven, last: vec.get(4), length: vec.length, rows }));
vec.dispose();
`;

const TS_PROGRAM = `
import { allocate, backendKind, type Region } from "@lgalloc/core";
import { LargeVec } from "@lgalloc/collections";

function scoped(): { capacity: number; region: Region } {
  using region = allocate(3 * 2 ** 20);
  region.view(Float64Array)[0] = 1.5;
  return { capacity: region.capacity, region };
}

const { capacity, region } = scoped();
const vec = new LargeVec(Float64Array, 3);
// Inference: the element type is Float64Array, so get() is a number.
const typed: LargeVec<Float64Array> = vec;
const element: number = typed.get(0) + 1;
vec.dispose();
console.log(JSON.stringify({ backend: backendKind(), capacity, disposed: region.disposed, element }));
`;

const TS_CONFIG = {
  compilerOptions: {
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    lib: ["es2022", "esnext.disposable"],
    types: ["node"],
    strict: true,
    outDir: "out",
  },
  files: ["program.ts"],
};

describe("installing the packed packages into a project outside the repository", function () {
  this.timeout(600_000);
  let work;
  let project;
  const tarballs = {};

  before(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-install-"));
    const packDir = path.join(work, "tarballs");
    fs.mkdirSync(packDir);
    const packed = JSON.parse(
      run("npm", ["pack", "--workspaces", "--json", "--pack-destination", packDir], {
        cwd: ROOT,
      }).stdout.replace(/^[^[]*/, ""),
    );
    for (const entry of packed) tarballs[entry.name] = entry;
    project = path.join(work, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "lgalloc-install-test", version: "1.0.0", private: true }),
    );
    const external = new Set(["@types/node"]);
    for (const entry of Object.values(tarballs)) {
      const manifest = PACKAGES.find((p) => p.name === entry.name);
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        if (!dep.startsWith("@lgalloc/")) external.add(dep);
      }
    }
    npm(
      [
        "install",
        ...Object.values(tarballs).map((entry) => path.join(packDir, entry.filename)),
        ...packDependencies([...external], packDir),
      ],
      project,
    );
  });

  after(function () {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("packs every package with its README, both licences, a CHANGELOG and its build", function () {
    expect(Object.keys(tarballs).sort()).to.deep.equal(PACKAGES.map((p) => p.name).sort());
    for (const entry of Object.values(tarballs)) {
      const files = entry.files.map((file) => file.path);
      for (const required of [
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "CHANGELOG.md",
        "package.json",
        "dist/index.js",
        "dist/index.d.ts",
      ]) {
        expect(files, `${entry.name} lacks ${required}`).to.include(required);
      }
      expect(files.filter((file) => /\.test\.|tsbuildinfo|bench\//.test(file))).to.deep.equal([]);
    }
  });

  it("ships @lgalloc/core's prebuilt addon for this runtime and the sources to build it", function () {
    const files = tarballs["@lgalloc/core"].files.map((file) => file.path);
    const libc = process.report.getReport().header.glibcVersionRuntime ? "glibc" : "musl";
    expect(files).to.include(
      `prebuilds/${process.platform}-${process.arch}/node.abi${process.versions.modules}.${libc}.node`,
    );
    for (const file of ["binding.gyp", "scripts/install.js", "native/binding/addon.cc"]) {
      expect(files).to.include(file);
    }
    expect(files.some((file) => file.startsWith("native/core/src/"))).to.equal(true);
    expect(files.some((file) => file.startsWith("native/tests/"))).to.equal(false);
  });

  it("publishes manifests without comment keys, with exports maps and repository", function () {
    for (const name of Object.keys(tarballs)) {
      const manifest = JSON.parse(
        fs.readFileSync(path.join(project, "node_modules", name, "package.json"), "utf8"),
      );
      expect(Object.keys(manifest).filter((key) => key.startsWith("//"))).to.deep.equal([]);
      expect(manifest.exports["."]).to.have.property("types");
      expect(manifest).to.have.property("repository");
      expect(manifest.keywords).to.be.an("array").that.is.not.empty;
    }
  });

  it("runs a CommonJS program on the native backend, from the prebuilt addon", function () {
    fs.writeFileSync(path.join(project, "program.cjs"), CJS_PROGRAM);
    const result = node(["program.cjs"], project);
    expect(result.stderr).to.equal("");
    expect(lastJson(result.stdout)).to.deep.equal({
      backend: "native",
      statsBackend: "native",
      first: 42,
      detached: 0,
      sum: 499500,
      arrowRows: 2,
    });
  });

  it("runs an ES module program on the native backend", function () {
    fs.writeFileSync(path.join(project, "program.mjs"), ESM_PROGRAM);
    const result = node(["program.mjs"], project);
    expect(result.stderr).to.equal("");
    expect(lastJson(result.stdout)).to.deep.equal({
      backend: "native",
      seven: 7,
      last: -3,
      length: 5,
      rows: 1,
    });
  });

  it("compiles a TypeScript program (nodenext, using, LargeVec<Float64Array>) and runs it", function () {
    fs.writeFileSync(path.join(project, "program.ts"), TS_PROGRAM);
    fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(TS_CONFIG));
    // The compiler is a tool, not a package under test: the repository's copy.
    const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
    node([tsc, "-p", "tsconfig.json"], project);
    const result = node([path.join("out", "program.js")], project);
    expect(result.stderr).to.equal("");
    expect(lastJson(result.stdout)).to.deep.equal({
      backend: "native",
      capacity: 4 * 2 ** 20,
      disposed: true,
      element: 1,
    });
  });

  it("refuses deep imports of internals and declares no @internal member", function () {
    const probe = `
      for (const spec of ["@lgalloc/core/dist/native", "@lgalloc/core/dist/region.js",
                          "@lgalloc/collections/dist/large-vec", "@lgalloc/arrow/dist/table"]) {
        try { require(spec); console.log("loaded " + spec); }
        catch (error) { console.log(error.code); }
      }`;
    const result = node(["-e", probe], project);
    expect(result.stdout.trim().split("\n")).to.deep.equal(
      Array(4).fill("ERR_PACKAGE_PATH_NOT_EXPORTED"),
    );
    for (const name of Object.keys(tarballs)) {
      const dist = path.join(project, "node_modules", name, "dist");
      for (const file of fs.readdirSync(dist).filter((f) => f.endsWith(".d.ts"))) {
        expect(fs.readFileSync(path.join(dist, file), "utf8"), file).to.not.include("@internal");
      }
    }
  });

  it("serves from the JS fallback, announced by one warning, without the prebuilt addon", function () {
    const prebuilds = path.join(project, "node_modules", "@lgalloc", "core", "prebuilds");
    const hidden = `${prebuilds}.hidden`;
    fs.renameSync(prebuilds, hidden);
    try {
      const result = node(["program.cjs"], project);
      expect(result.stderr.split("[LGALLOC_FALLBACK_BACKEND]").length - 1).to.equal(1);
      expect(lastJson(result.stdout)).to.include({ backend: "fallback", first: 42, detached: 0 });
      const forced = spawnSync(process.execPath, ["program.cjs"], {
        cwd: project,
        encoding: "utf8",
        env: { ...process.env, LGALLOC_BACKEND: "native", LGALLOC_ADDON_PATH: "" },
      });
      expect(forced.status).to.not.equal(0);
      expect(forced.stderr).to.include("ERR_LGALLOC_ADDON_LOAD");
    } finally {
      fs.renameSync(hidden, prebuilds);
    }
  });

  it("builds the addon from source at install where no prebuilt addon fits", function () {
    const core = path.join(project, "node_modules", "@lgalloc", "core");
    const prebuilds = path.join(core, "prebuilds");
    const hidden = `${prebuilds}.hidden`;
    fs.renameSync(prebuilds, hidden);
    try {
      const rebuilt = npm(["rebuild", "@lgalloc/core", "--foreground-scripts"], project);
      expect(rebuilt.stdout).to.include("built the native addon from source");
      expect(fs.existsSync(path.join(core, "build", "Release", "lgalloc.node"))).to.equal(true);
      const result = node(["program.cjs"], project);
      expect(result.stderr).to.equal("");
      expect(lastJson(result.stdout)).to.include({ backend: "native", first: 42 });
    } finally {
      fs.rmSync(path.join(core, "build"), { recursive: true, force: true });
      fs.renameSync(hidden, prebuilds);
    }
  });
});

describe("rehearsing a release (scripts/release.js --dry-run)", function () {
  this.timeout(600_000);

  it("versions every package with lerna and publishes each to the recording registry", function () {
    const result = run(
      process.execPath,
      [path.join(ROOT, "scripts", "release.js"), "minor", "--dry-run"],
      {
        cwd: ROOT,
      },
    );
    const lines = result.stdout.split("\n").filter((line) => /^ {2}@lgalloc\//.test(line));
    const next = (version) =>
      version.replace(/^(\d+)\.(\d+)\.\d+.*$/, (_, a, b) => `${a}.${Number(b) + 1}.0`);
    expect(lines.map((line) => line.trim().split(/\s+/)[0]).sort()).to.deep.equal(
      PACKAGES.map((p) => `${p.name}@${next(p.version)}`).sort(),
    );
    const collections = lines.find((line) => line.includes("@lgalloc/collections@"));
    const core = PACKAGES.find((p) => p.name === "@lgalloc/core");
    expect(collections).to.include(`@lgalloc/core@${next(core.version)}`);
  });
});
