// Builds the syscall fault shim (test/stress/shim/syscall-faults.c) into build/stress/ once
// per version of its source, and returns what a child process needs to run with it
// preloaded. The shim fails lgalloc's own madvise calls, or locks its mappings, at the
// syscall boundary; its settings are the LGALLOC_SHIM_* variables its source describes.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const SOURCE = path.join(__dirname, "shim", "syscall-faults.c");
const OUT_DIR = path.join(ROOT, "build", "stress");

/** Path of the built shim, compiling it first when this version of the source is new. */
function shimPath() {
  const source = fs.readFileSync(SOURCE);
  const digest = crypto.createHash("sha256").update(source).digest("hex").slice(0, 12);
  const output = path.join(OUT_DIR, `syscall-faults-${digest}.so`);
  if (!fs.existsSync(output)) {
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const partial = `${output}.${process.pid}.tmp`;
    execFileSync("cc", ["-shared", "-fPIC", "-O2", "-Wall", "-o", partial, SOURCE, "-ldl"], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    // Renamed into place, so that a concurrent run never loads a half-written file.
    fs.renameSync(partial, output);
  }
  return output;
}

/** The environment of a child process running with the shim and `settings` (LGALLOC_SHIM_*). */
function shimEnv(settings) {
  const preload = [shimPath(), process.env.LD_PRELOAD].filter(Boolean).join(" ");
  return { ...process.env, ...settings, LD_PRELOAD: preload };
}

/** The shim's exit report (LGALLOC_SHIM_REPORT), or undefined when it wrote none. */
function readShimReport(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

module.exports = { shimPath, shimEnv, readShimReport };
