// The background worker under churn: after a burst of allocating, touching and freeing
// stops, the dirty regions must become clean within the number of passes the schedule
// allows (clearBytes per size class and interval), and their pages must show as handed
// back (LazyFree, for MADV_FREE) or gone from RSS. Native backend only.
"use strict";

const core = require("@lgalloc/core");
const support = require("./support");

const MiB = 2 ** 20;
const REGION = 8 * MiB;
const INTERVAL_MS = 20;
const CLEAR_BYTES = 32 * MiB;

support.run(async () => {
  const { short } = support.options();
  if (core.backendKind() !== "native") {
    support.report({ operations: 0, notes: [], skipped: true });
    return;
  }
  const count = short ? 32 : 96;
  core.configure({ background: false, localBufferBytes: 0 });
  const classIndex = Math.log2(REGION) - 21;
  let operations = 0;
  const regions = [];
  for (let i = 0; i < count; i++) {
    const region = core.allocateUnsafe(REGION);
    region.view(Uint8Array).fill(0xa5);
    regions.push(region);
    operations++;
  }
  for (const region of regions) region.dispose();
  core.flushThreadCache();
  const dirty = core.stats().sizeClasses[classIndex];
  const rssDirty = support.smapsRollup("Rss");
  const lazyBefore = support.smapsRollup("LazyFree");
  // Each pass clears CLEAR_BYTES of this class: this many passes clear them all.
  const passesNeeded = Math.ceil((dirty.globalRegions * REGION) / CLEAR_BYTES);
  const started = Date.now();
  core.configure({ background: { intervalMs: INTERVAL_MS, clearBytes: CLEAR_BYTES } });
  const allowedMs = (passesNeeded + 2) * INTERVAL_MS * 3;
  let cleaned;
  while (Date.now() - started < allowedMs * 4) {
    cleaned = core.stats().sizeClasses[classIndex];
    if (cleaned.globalRegions === 0) break;
    await support.sleep(INTERVAL_MS / 2);
  }
  const elapsed = Date.now() - started;
  const notes = [];
  let lost = 0;
  if (cleaned.globalRegions !== 0) {
    lost++;
    notes.push(`${cleaned.globalRegions} regions still dirty after ${elapsed} ms`);
  } else if (elapsed > allowedMs) {
    notes.push(`cleaning took ${elapsed} ms, over the ${allowedMs} ms the schedule allows`);
  }
  const handedBack =
    support.smapsRollup("LazyFree") - lazyBefore + (rssDirty - support.smapsRollup("Rss"));
  if (handedBack < 0.9 * count * REGION) {
    notes.push(
      `only ${(handedBack / MiB).toFixed(0)} MiB of ${(count * REGION) / MiB} MiB handed back (LazyFree + RSS drop)`,
    );
  }
  core.configure({ background: false });
  support.report({ operations, lost, notes, rssBound: count * REGION + 512 * MiB });
});
