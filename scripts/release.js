// Versions and publishes every package under packages/ with lerna (fixed mode: one version
// for all, lerna.json), or rehearses both without touching this repository or a registry.
//
//   node scripts/release.js <patch|minor|major|x.y.z> --dry-run
//   node scripts/release.js <patch|minor|major|x.y.z>
//
// For real it runs `lerna version <bump> --yes` (bumps the versions and the packages'
// dependencies on each other, commits, tags, and pushes where a remote is set), then
// `lerna publish from-package --yes`, which packs each package through its prepack
// (scripts/prepack.js) and publishes the versions the registry does not have yet.
//
// --dry-run does the same in a temporary clone of HEAD, against a registry served by this
// script on 127.0.0.1 that records what it is sent: so the rehearsal runs lerna's real
// versioning, packing and publishing, offline, and prints each published package with its
// version, dependencies and tarball size. Nothing leaves the machine and the repository is
// untouched.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { parseArgs } = require("node:util");

const ROOT = path.resolve(__dirname, "..");
const BUMP = /^(patch|minor|major|prepatch|preminor|premajor|prerelease|\d+\.\d+\.\d+(-[\w.]+)?)$/;

function run(command, args, cwd, env = {}) {
  const result = spawnSync(command, args, {
    cwd,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.error?.message ?? result.status})`,
    );
  }
}

/**
 * A registry that knows no package and accepts every publish: GET answers 404, PUT stores
 * the document npm sends (manifest plus base64 tarball) in `published`.
 */
function startRecordingRegistry(published) {
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method === "PUT") {
        const document = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const version = Object.keys(document.versions)[0];
        const [attachment] = Object.values(document._attachments);
        published.push({
          manifest: document.versions[version],
          tarballBytes: Buffer.from(attachment.data, "base64").length,
        });
        response.writeHead(201, { "content-type": "application/json" });
        response.end('{"ok":true}');
      } else {
        response.writeHead(404, { "content-type": "application/json" });
        response.end('{"error":"not_found"}');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function dryRun(bump) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-release-"));
  const published = [];
  const registry = await startRecordingRegistry(published);
  const url = `http://127.0.0.1:${registry.address().port}/`;
  try {
    const clone = path.join(work, "clone");
    run("git", ["clone", "--quiet", ROOT, clone], ROOT);
    linkDependencies(clone);
    const env = {
      npm_config_registry: url,
      [`npm_config_//127.0.0.1:${registry.address().port}/:_authToken`]: "dry-run",
      GIT_AUTHOR_NAME: "release dry run",
      GIT_AUTHOR_EMAIL: "dry-run@localhost",
      GIT_COMMITTER_NAME: "release dry run",
      GIT_COMMITTER_EMAIL: "dry-run@localhost",
    };
    const lerna = path.join(ROOT, "node_modules", "lerna", "dist", "cli.js");
    run(process.execPath, [lerna, "version", bump, "--yes", "--no-push"], clone, env);
    await runAsync(
      process.execPath,
      [lerna, "publish", "from-package", "--yes", "--registry", url],
      clone,
      env,
    );
  } finally {
    registry.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (published.length === 0) throw new Error("lerna published nothing");
  console.log("\nrelease dry run: lerna would publish");
  for (const { manifest, tarballBytes } of published) {
    const deps = Object.entries(manifest.dependencies ?? {})
      .map(([name, range]) => `${name}@${range}`)
      .join(", ");
    console.log(`  ${manifest.name}@${manifest.version}  ${tarballBytes} bytes  deps: ${deps}`);
  }
}

/** The clone's node_modules: this checkout's packages, with the clone's own workspace links. */
function linkDependencies(clone) {
  const modules = path.join(clone, "node_modules");
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry === "@lgalloc" || entry.startsWith(".package-lock")) continue;
    fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry));
  }
  fs.mkdirSync(path.join(modules, "@lgalloc"));
  for (const pkg of fs.readdirSync(path.join(clone, "packages"))) {
    fs.symlinkSync(path.join(clone, "packages", pkg), path.join(modules, "@lgalloc", pkg));
  }
}

/** Like `run`, but lets this process's registry server answer while the child runs. */
function runAsync(command, args, cwd, env) {
  const { spawn } = require("node:child_process");
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: "inherit", env: { ...process.env, ...env } });
    child.on("error", reject);
    child.on("close", (status) =>
      status === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(" ")} exited with ${status}`)),
    );
  });
}

function release(bump) {
  const lerna = path.join(ROOT, "node_modules", "lerna", "dist", "cli.js");
  run(process.execPath, [lerna, "version", bump, "--yes"], ROOT);
  run(process.execPath, [lerna, "publish", "from-package", "--yes"], ROOT);
}

async function main() {
  const { values, positionals } = parseArgs({
    options: { "dry-run": { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1 || !BUMP.test(positionals[0])) {
    throw new Error("usage: node scripts/release.js <patch|minor|major|x.y.z> [--dry-run]");
  }
  if (values["dry-run"]) await dryRun(positionals[0]);
  else release(positionals[0]);
}

main().catch((error) => {
  console.error(`release: ${error.message}`);
  process.exitCode = 1;
});
