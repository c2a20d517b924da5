// process.exit() and an uncaught exception with live regions, parked tokens, a running
// background worker and worker threads still allocating: each child process must exit with
// the code its mode asks for, without a crash (no signal, no abort) and without hanging.
"use strict";

const { spawn } = require("node:child_process");
const support = require("./support");

const CHILD = `
const core = require("@lgalloc/core");
const { LargeVec } = require("@lgalloc/collections");
const { Worker } = require("node:worker_threads");
core.configure({ background: { intervalMs: 5, clearBytes: 64 * 2 ** 20 } });
const held = [];
for (let i = 0; i < 8; i++) held.push(core.allocate(4 * 2 ** 20));
const tokens = [core.allocate(8 * 2 ** 20).transfer(), core.allocate(2 * 2 ** 20).transfer()];
const vec = new LargeVec(Float64Array, 1 << 20);
const workers = [];
for (let i = 0; i < 2; i++) {
  workers.push(new Worker(\`
    const core = require("@lgalloc/core");
    require("node:worker_threads").parentPort.postMessage("up");
    for (;;) { const r = core.allocate(2 * 2 ** 20); r.view(Uint8Array)[0] = 1; r.dispose(); }
  \`, { eval: true }));
}
let up = 0;
for (const worker of workers) worker.once("message", () => {
  if (++up < workers.length) return;
  setTimeout(() => {
    const mode = process.argv[1];
    if (mode === "exit") process.exit(0);
    if (mode === "throw") throw new Error("uncaught, on purpose");
    process.exitCode = 0;
    for (const worker of workers) worker.terminate();
  }, 10 + Math.random() * 40);
});
void held, tokens, vec;
`;

function runChild(mode) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", CHILD, mode], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stderr });
    });
  });
}

support.run(async () => {
  const { short } = support.options();
  const rounds = short ? 4 : 20;
  const want = { natural: 0, exit: 0, throw: 1 };
  let operations = 0;
  let unexpected = 0;
  const notes = [];
  for (let round = 0; round < rounds; round++) {
    for (const mode of Object.keys(want)) {
      const { status, signal, stderr } = await runChild(mode);
      operations++;
      if (signal !== null || status !== want[mode]) {
        unexpected++;
        const last = stderr.trim().split("\n").slice(-3).join(" | ");
        notes.push(`${mode}: exited ${signal ?? status}, expected ${want[mode]} (${last})`);
      }
    }
  }
  support.report({ operations, expected: rounds, unexpected, notes: notes.slice(0, 5) });
});
