// Load: several workers allocate regions and LargeVecs, stamp every page with their owner
// id and a generation, hand them to the next worker (transfer/adopt), and verify each one
// before every free. Any mismatch means one region had two owners, or lost its data. At the
// end the pools must balance: as many deallocations as allocations, no token pending, no
// region live. Peak RSS must stay under what the workers can hold and have in flight at once
// (each at most 24 items held and 8 sent but not yet adopted, of at most 8 MiB), plus 512 MiB
// for Node and V8; twice that in the fallback, whose free regions are pooled per thread and
// whose dropped buffers wait for a collection.
"use strict";

const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");
const core = require("@lgalloc/core");
const { LargeVec } = require("@lgalloc/collections");
const support = require("./support");

const MiB = 2 ** 20;
/** Items a worker holds at most, and items it may have on their way to the next one. */
const HELD_AT_MOST = 24;
const IN_FLIGHT_AT_MOST = 8;
/** The largest item: a region of up to 7 MiB, or a vector of up to 6 MiB, in the 8 MiB class. */
const ITEM_AT_MOST = 8 * MiB;

if (isMainThread) {
  support.run(async () => {
    const { seconds, short } = support.options();
    const count = short ? 4 : 8;
    const channels = Array.from({ length: count }, () => new MessageChannel());
    const workers = [];
    const results = [];
    const started = Date.now();
    // Items each worker has sent and the next one has not adopted yet. Without a bound, a
    // worker slowed down by the machine's load let its inbox, and RSS, grow without end.
    const inFlight = new Int32Array(new SharedArrayBuffer(4 * count));
    for (let id = 0; id < count; id++) {
      // Worker i sends to i+1 through channel i+1's port1 and receives on channel i's port2.
      const inbox = channels[id].port2;
      const outbox = channels[(id + 1) % count].port1;
      const worker = new Worker(__filename, {
        workerData: { id: id + 1, deadline: started + seconds * 1000, inFlight },
      });
      worker.postMessage({ inbox, outbox }, [inbox, outbox]);
      workers.push(
        new Promise((resolve, reject) => {
          worker.on("message", (message) => {
            if (message.type === "stopped") results[id] = message;
            if (message.type === "done") resolve(message);
          });
          worker.on("error", reject);
        }),
      );
      workers[id].worker = worker;
    }
    // Phase two: once every worker has stopped sending, each learns how many items it
    // still has to receive, drains them, and reports.
    while (results.filter(Boolean).length < count) await support.sleep(20);
    for (let id = 0; id < count; id++) {
      const sender = (id + count - 1) % count;
      workers[id].worker.postMessage({ type: "finish", expect: results[sender].sent });
    }
    const finished = await Promise.all(workers);
    // Each worker has released everything and flushed its cache; its thread can go.
    await Promise.all(workers.map((entry) => entry.worker.terminate()));
    const operations = finished.reduce((sum, r) => sum + r.operations, 0);
    const lost = finished.reduce((sum, r) => sum + r.lost, 0);
    const unexpected = finished.reduce((sum, r) => sum + r.unexpected, 0);
    const notes = finished.flatMap((r) => r.notes);
    core.flushThreadCache();
    const stats = core.stats();
    if (stats.totals.allocations !== stats.totals.deallocations) {
      notes.push(
        `allocations ${stats.totals.allocations} != deallocations ${stats.totals.deallocations}`,
      );
    }
    if (stats.pendingTransfers !== 0) notes.push(`${stats.pendingTransfers} tokens pending`);
    if (stats.liveRegions !== 0) notes.push(`${stats.liveRegions} regions still live`);
    support.report({
      operations,
      lost: lost + (notes.length > 0 ? notes.length : 0),
      unexpected,
      notes,
      // What the workers can hold and have in flight at once, and 512 MiB for Node and V8.
      // The fallback pools per thread, so each worker keeps its own free regions too.
      rssBound:
        (core.backendKind() === "native" ? 1 : 2) *
          count *
          (HELD_AT_MOST + IN_FLIGHT_AT_MOST) *
          ITEM_AT_MOST +
        512 * MiB,
    });
  });
} else {
  const { id, deadline, inFlight } = workerData;
  const held = [];
  let generation = 0;
  let operations = 0;
  let lost = 0;
  let unexpected = 0;
  const notes = [];
  let received = 0;
  let expected = Infinity;
  let outbox;
  let finishing = false;

  const verifyAndDispose = (item) => {
    const view = item.kind === "region" ? item.value.view(Uint8Array) : item.value.view();
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const wrong = support.mismatches(bytes, item.owner, item.generation);
    if (wrong > 0) {
      lost++;
      notes.push(
        `worker ${id}: ${wrong} pages of a ${item.kind} not as owner ${item.owner} left them`,
      );
    }
    item.value.dispose();
    operations++;
  };

  const make = () => {
    generation++;
    if (Math.random() < 0.7) {
      const region = core.allocateUnsafe((2 + Math.floor(Math.random() * 6)) * MiB);
      support.stamp(region.view(Uint8Array), id, generation);
      return { kind: "region", value: region, owner: id, generation };
    }
    const vec = LargeVec.allocUnsafe(
      Float64Array,
      (1 + Math.floor(Math.random() * 3)) * 262144 + 8,
    );
    const view = vec.view();
    support.stamp(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), id, generation);
    return { kind: "vec", value: vec, owner: id, generation };
  };

  const adoptIncoming = (message) => {
    const value =
      message.kind === "region" ? core.adopt(message.token) : LargeVec.adopt(message.token);
    const item = {
      kind: message.kind,
      value,
      owner: message.owner,
      generation: message.generation,
    };
    received++;
    operations++;
    Atomics.sub(inFlight, message.from, 1);
    // Keep some, free the rest after checking; restamp what is kept as this worker's.
    if (!finishing && Math.random() < 0.5 && held.length < HELD_AT_MOST - IN_FLIGHT_AT_MOST) {
      const view = item.kind === "region" ? value.view(Uint8Array) : value.view();
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      const wrong = support.mismatches(bytes, item.owner, item.generation);
      if (wrong > 0) {
        lost++;
        notes.push(`worker ${id}: adopted ${item.kind} with ${wrong} foreign pages`);
      }
      generation++;
      support.stamp(bytes, id, generation);
      held.push({ ...item, owner: id, generation });
    } else {
      verifyAndDispose(item);
    }
    maybeFinish();
  };

  const sent = { count: 0 };
  const loop = () => {
    try {
      for (let i = 0; i < 8; i++) {
        const roll = Math.random();
        if (roll < 0.45 || held.length === 0) {
          held.push(make());
          operations++;
        } else if (roll < 0.75 && Atomics.load(inFlight, id - 1) < IN_FLIGHT_AT_MOST) {
          const item = held.splice(Math.floor(Math.random() * held.length), 1)[0];
          const view = item.kind === "region" ? item.value.view(Uint8Array) : item.value.view();
          const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
          if (support.mismatches(bytes, item.owner, item.generation) > 0) {
            lost++;
            notes.push(`worker ${id}: held ${item.kind} changed before transfer`);
          }
          const token = item.value.transfer();
          Atomics.add(inFlight, id - 1, 1);
          outbox.postMessage(
            {
              kind: item.kind,
              token,
              owner: item.owner,
              generation: item.generation,
              from: id - 1,
            },
            token.transferList,
          );
          sent.count++;
          operations++;
        } else {
          verifyAndDispose(held.splice(Math.floor(Math.random() * held.length), 1)[0]);
        }
        while (held.length > HELD_AT_MOST) verifyAndDispose(held.shift());
      }
    } catch (error) {
      unexpected++;
      notes.push(`worker ${id}: ${error.code ?? ""} ${error.message}`);
    }
    if (Date.now() < deadline && unexpected === 0) setImmediate(loop);
    else parentPort.postMessage({ type: "stopped", sent: sent.count });
  };

  const maybeFinish = () => {
    if (!finishing || received < expected) return;
    for (const item of held.splice(0)) verifyAndDispose(item);
    core.flushThreadCache();
    parentPort.postMessage({ type: "done", operations, lost, unexpected, notes });
    outbox.close();
    inboxPort.close();
  };

  let inboxPort;
  parentPort.on("message", (message) => {
    if (message.inbox) {
      inboxPort = message.inbox;
      outbox = message.outbox;
      inboxPort.on("message", adoptIncoming);
      setImmediate(loop);
    } else if (message.type === "finish") {
      finishing = true;
      expected = message.expect;
      // Whatever is still on its way through the inbox finishes the worker when it lands.
      maybeFinish();
    }
  });
}
