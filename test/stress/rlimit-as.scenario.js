// mmap refused: with the address-space limit (RLIMIT_AS, set on this very process with
// prlimit) just above what is mapped, allocating beyond the pools' areas must fail with
// ERR_LGALLOC_OUT_OF_MEMORY carrying errno ENOMEM, every held region must keep its data,
// and allocation must work again once the limit is raised, or once memory is released.
// Native backend only: the fallback's memory comes from V8.
"use strict";

const fs = require("node:fs");
const { execFileSync } = require("node:child_process");
const core = require("@lgalloc/core");
const support = require("./support");

const MiB = 2 ** 20;
const ENOMEM = 12;

function vmSizeBytes() {
  const match = /^VmSize:\s+(\d+) kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return Number(match[1]) * 1024;
}

function setAddressSpaceLimit(bytes) {
  const value = bytes === Infinity ? "unlimited" : String(bytes);
  execFileSync("prlimit", [`--pid=${process.pid}`, `--as=${value}:unlimited`]);
}

support.run(async () => {
  support.options();
  if (core.backendKind() !== "native") {
    support.report({ operations: 0, notes: [], skipped: true });
    return;
  }
  // Areas of one region each, so every allocation past the pooled ones needs a new mmap.
  core.configure({ maxAreaBytes: 64 * MiB });
  let operations = 0;
  let faults = 0;
  let expected = 0;
  let unexpected = 0;
  let lost = 0;
  const notes = [];
  const held = [];
  const allocateStamped = (generation) => {
    const region = core.allocateUnsafe(64 * MiB);
    support.stamp(region.view(Uint8Array), 7, generation);
    held.push({ region, generation });
    operations++;
  };
  const verifyHeld = (when) => {
    for (const { region, generation } of held) {
      if (support.mismatches(region.view(Uint8Array), 7, generation) > 0) {
        lost++;
        notes.push(`a held region lost its data ${when}`);
      }
    }
  };
  for (let i = 0; i < 4; i++) allocateStamped(i);
  // Headroom for V8 and Node (which map memory of their own: a collection forced under
  // memory pressure needs some: V8 failed to commit its semi space with less), but not for
  // 48 more areas of 64 MiB.
  setAddressSpaceLimit(vmSizeBytes() + 1536 * MiB);
  faults++;
  let refused;
  try {
    for (let i = 0; i < 48; i++) allocateStamped(100 + i);
  } catch (error) {
    refused = error;
  }
  if (refused === undefined) {
    unexpected++;
    notes.push("no allocation was refused under RLIMIT_AS");
  } else if (refused.code !== "ERR_LGALLOC_OUT_OF_MEMORY" || refused.errno !== ENOMEM) {
    unexpected++;
    notes.push(`refused with ${refused.code} errno ${refused.errno}: ${refused.message}`);
  } else {
    expected++;
  }
  verifyHeld("after mmap was refused");
  // Released memory is reused without a new mapping, under the same limit.
  const released = held.pop();
  released.region.dispose();
  try {
    allocateStamped(200);
  } catch (error) {
    unexpected++;
    notes.push(`a released region was not reused under the limit: ${error.code}`);
  }
  setAddressSpaceLimit(Infinity);
  try {
    for (let i = 0; i < 4; i++) allocateStamped(300 + i);
  } catch (error) {
    unexpected++;
    notes.push(`allocation still failed after the limit was raised: ${error.code}`);
  }
  verifyHeld("at the end");
  for (const { region } of held) region.dispose();
  // It stamps every page of up to 36 regions of 64 MiB.
  support.report({ operations, faults, expected, unexpected, lost, notes, rssBound: 3 * 2 ** 30 });
});
