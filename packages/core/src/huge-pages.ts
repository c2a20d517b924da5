// How much of the pools is backed by transparent huge pages: the `AnonHugePages` of every
// mapping in /proc/self/smaps that overlaps one of the allocator's areas. Adjacent areas
// with the same flags may share one mapping; a mapping holding an area holds only areas,
// because no other mapping of the process carries the allocator's MADV_HUGEPAGE flag next
// to it with the same protections, so the sum is the pools' own.

import { readFileSync } from "node:fs";

import type { BackendArea } from "./backend";

const MAPPING_HEADER = /^([0-9a-f]+)-([0-9a-f]+) /;
const HUGE_PAGES = /^AnonHugePages:\s+(\d+) kB/;

/** Bytes of huge pages in the mappings overlapping `areas`; 0 where smaps is unavailable. */
export function hugePageBytes(
  areas: readonly BackendArea[],
  smapsPath = "/proc/self/smaps",
): number {
  if (areas.length === 0) return 0;
  let text: string;
  try {
    text = readFileSync(smapsPath, "latin1");
  } catch {
    return 0;
  }
  let total = 0;
  let inPool = false;
  for (const line of text.split("\n")) {
    const header = MAPPING_HEADER.exec(line);
    if (header) {
      const start = parseInt(header[1]!, 16);
      const end = parseInt(header[2]!, 16);
      inPool = areas.some((area) => area.base < end && area.base + area.bytes > start);
      continue;
    }
    if (!inPool) continue;
    const huge = HUGE_PAGES.exec(line);
    if (huge) total += Number(huge[1]) * 1024;
  }
  return total;
}
