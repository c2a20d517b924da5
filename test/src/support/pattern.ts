// Byte patterns to recognise a region's contents after it moved (between threads, through
// a token) without comparing every byte. Free of test-framework imports, so that worker
// fixtures can use it too.

/** Offsets the pattern covers: the first 64 bytes, one per 64 KiB, and the last pages. */
function patternOffsets(length: number): number[] {
  const offsets = new Set<number>();
  for (let i = 0; i < 64 && i < length; i++) offsets.add(i);
  for (let at = 4096; at < length; at += 65536) offsets.add(at);
  for (const at of [length >>> 1, length - 4096, length - 1]) if (at >= 0) offsets.add(at);
  return [...offsets];
}

/** Writes a pattern derived from `seed` at a few places of `bytes` (start, middle, end). */
export function writePattern(bytes: Uint8Array, seed: number): void {
  for (const at of patternOffsets(bytes.length)) bytes[at] = (seed + at * 31) & 0xff;
}

/** True if `bytes` holds the pattern `writePattern(bytes, seed)` wrote. */
export function hasPattern(bytes: Uint8Array, seed: number): boolean {
  return patternOffsets(bytes.length).every((at) => bytes[at] === ((seed + at * 31) & 0xff));
}
