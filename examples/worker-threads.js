// Worker threads: move a Region and a LargeVec to a worker and back without copying their
// bytes. postMessage alone would silently copy an external buffer; transfer() gives a token
// that moves ownership instead: the sender's object is disposed, the receiver adopts it.
"use strict";

const { Worker, isMainThread, parentPort } = require("node:worker_threads");
const { adopt, allocate, stats } = require("@lgalloc/core");
const { LargeVec } = require("@lgalloc/collections");

const MiB = 2 ** 20;

if (isMainThread) {
  // A region of 8 MiB filled with 0, 1, 2, ...
  const region = allocate(8 * MiB);
  const numbers = region.view(Uint32Array);
  for (let i = 0; i < numbers.length; i++) numbers[i] = i;
  const count = numbers.length;

  // A pooled vector of a million doubles.
  const vec = new LargeVec(Float64Array);
  for (let i = 0; i < 1_000_000; i++) vec.push(i / 2);

  const regionToken = region.transfer();
  const vecToken = vec.transfer();
  console.log(
    `main: sent the region (${regionToken.byteLength / MiB} MiB) and the vector (${vecToken.length} elements)`,
  );
  console.log(`main: our view now has length ${numbers.length}, vector disposed: ${vec.disposed}`);

  const worker = new Worker(__filename);
  worker.postMessage({ regionToken, vecToken }, [
    ...regionToken.transferList,
    ...vecToken.transferList,
  ]);
  worker.once("message", ({ regionToken: back, sum, vecSum }) => {
    const returned = adopt(back);
    const view = returned.view(Uint32Array);
    const expected = (count * (count - 1)) / 2;
    console.log(`main: worker summed the region: ${sum === expected ? "correct" : "WRONG"}`);
    console.log(`main: worker summed the vector: ${vecSum === 249999750000 ? "correct" : "WRONG"}`);
    console.log(`main: the worker wrote ${view[0]} into the region we got back`);
    returned.dispose();
    worker.terminate();
    console.log(`main: regions held by JS now ${stats().liveRegions}`);
  });
} else {
  parentPort.once("message", ({ regionToken, vecToken }) => {
    const region = adopt(regionToken);
    const numbers = region.view(Uint32Array);
    let sum = 0;
    for (let i = 0; i < numbers.length; i++) sum += numbers[i];
    numbers[0] = 7;

    const vec = LargeVec.adopt(vecToken);
    let vecSum = 0;
    for (const value of vec) vecSum += value;
    vec.dispose();

    const back = region.transfer();
    parentPort.postMessage({ regionToken: back, sum, vecSum }, back.transferList);
  });
}
