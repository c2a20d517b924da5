// Moving a region between threads without copying: the main thread fills a region,
// transfers it to a worker (which adopts it, checks the data and writes an answer), and
// the worker transfers it back. postMessage would copy an external buffer silently;
// a RegionToken moves ownership instead.
"use strict";

const { Worker, isMainThread, parentPort } = require("node:worker_threads");
const { adopt, allocate, stats } = require("@lgalloc/core");

const MiB = 2 ** 20;

if (isMainThread) {
  const region = allocate(8 * MiB);
  const numbers = region.view(Uint32Array);
  const count = numbers.length;
  for (let i = 0; i < count; i++) numbers[i] = i;

  const worker = new Worker(__filename);
  const token = region.transfer();
  console.log(
    `main: sent ${token.byteLength / MiB} MiB (our view now has length ${numbers.length})`,
  );
  worker.postMessage(token, token.transferList);

  worker.once("message", (reply) => {
    const back = adopt(reply);
    const view = back.view(Uint32Array);
    console.log(`main: got the region back; the worker wrote sum = ${view[0]}`);
    back.dispose();
    worker.terminate();
    const expected = (count * (count - 1)) / 2;
    if (view.length !== 0) throw new Error("a disposed view must be empty");
    console.log(`main: live regions now ${stats().liveRegions}`);
    if (reply.sum !== expected) throw new Error(`worker sum ${reply.sum} != ${expected}`);
  });
} else {
  parentPort.once("message", (token) => {
    const region = adopt(token);
    const numbers = region.view(Uint32Array);
    let sum = 0;
    for (let i = 0; i < numbers.length; i++) sum += numbers[i];
    numbers[0] = sum % 2 ** 32;
    const back = region.transfer();
    parentPort.postMessage({ ...back, sum }, back.transferList);
  });
}
