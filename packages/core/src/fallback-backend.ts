// The `fallback` backend: regions are ordinary ArrayBuffers, pooled in JS per size class.
//
// It exists because the native backend hands out external ArrayBuffers over mmap'ed
// memory, and runtimes built with the V8 sandbox (Electron 21+ among them) refuse external
// buffers. There the same API runs on this backend instead, with the same semantics as the
// addon (native/binding/addon.cc is the reference: same error codes, same messages, same
// counters) minus what only the kernel can give: huge pages, page advice, and one pool
// shared by every thread. It is also what `LGALLOC_BACKEND=fallback` forces, for testing.
//
// What it owns, per instance (nothing is module-global, so instances never interfere):
// - one LIFO pool of spare ArrayBuffers per size class (2^21..2^36 bytes). Reusing the most
//   recently released buffer first keeps its pages warm;
// - the region records: the handle of each region handed out, whose state makes its
//   release happen exactly once (dispose, transfer or garbage collection);
// - the counters behind `stats()`, and the timer of the background pass.
//
// Releasing a region must empty every view over its buffer while keeping the memory for
// reuse. JS has one way to do that: transferring the buffer (`structuredClone` with a
// transfer list), which detaches the original and moves its backing store, without copying,
// into a new ArrayBuffer. That new buffer is what goes to the pool, or into a token.
//
// Everything here is per thread: each worker thread loads its own instance, with its own
// pools and counters. A transferred region travels as its buffer inside the token
// (`port.postMessage(token, token.transferList)` moves it), so it needs no shared table.

import { randomBytes } from "node:crypto";
import { types } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import type {
  Backend,
  BackendArea,
  BackendConfig,
  BackendSizeClassStats,
  BackendStats,
  RawRegion,
  RawToken,
} from "./backend";
import { overlay } from "./backend";
import { InvalidArgTypeError, LgallocError, LgallocRangeError } from "./errors";

const SIZE_CLASS_COUNT = 16;
const MIN_REGION_BYTES = 2 ** 21;
const MAX_REGION_BYTES = 2 ** 36;
const NS_PER_MS = 1e6;
/** setInterval takes at most 2^31 - 1 ms; beyond it Node warns and fires every 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type RegionState = "live" | "released" | "transferred";

/** A region handle as this backend hands it out: what `RawRegion.handle` is here. */
interface RegionRecord {
  /** "released" covers both dispose and garbage collection, as in the addon. */
  state: RegionState;
  readonly sizeClass: SizeClass;
  // No reference to the buffer: the FinalizationRegistry holds the record strongly until
  // the buffer is collected, so a strong one would keep the buffer alive forever, and a
  // WeakRef would keep it alive until the end of the current job (see `owners`).
}

/** One size class: its pool and its counters (the addon's per-class statistics). */
interface SizeClass {
  readonly index: number;
  readonly regionBytes: number;
  /** Spare buffers, most recently released last (popped first). */
  readonly pool: ArrayBuffer[];
  /**
   * Buffers of transfers issued here. A token's buffer counts as pending while it is still
   * attached here: adopting, releasing or posting the token detaches it, and garbage
   * collection of a dropped token frees it; either way it no longer takes memory here.
   */
  readonly pending: WeakRef<ArrayBuffer>[];
  /** Regions handed out by this thread and not yet released or transferred. */
  live: number;
  allocations: number;
  slowPath: number;
  refill: number;
  deallocations: number;
  clearEagerTotal: number;
  clearSlowTotal: number;
  trimmedAreas: number;
}

/** The defaults before any `configure`; the JS layer applies its own defaults at load. */
function initialConfig(): BackendConfig {
  return {
    enabled: false,
    eagerReturn: false,
    growthDampener: 0,
    localBufferBytes: 32 * 1024 * 1024,
    background: null,
    maxAreaBytes: 0,
    memoryLimitBytes: 0,
  };
}

/** The size class index for `byteLength` (the next power of two, at least 2 MiB), if any. */
function sizeClassIndexFor(byteLength: number): number | undefined {
  if (!(byteLength <= MAX_REGION_BYTES)) return undefined; // also NaN
  if (byteLength < MIN_REGION_BYTES) return undefined;
  let index = 0;
  while (classBytes(index) < byteLength) index++;
  return index;
}

/** The region size of class `index`: 2 MiB for 0, 64 GiB for 15. */
function classBytes(index: number): number {
  return MIN_REGION_BYTES * 2 ** index;
}

/**
 * Detaches `buffer` and returns a new ArrayBuffer over the same memory. Zero-copy for an
 * ordinary ArrayBuffer. Views over the old buffer become length 0, and the old buffer's
 * byteLength becomes 0.
 */
function move(buffer: ArrayBuffer): ArrayBuffer {
  return structuredClone(buffer, { transfer: [buffer] });
}

/** A live region's buffer is never detached, so a byteLength of 0 means "moved away". */
function isAttached(buffer: ArrayBuffer): boolean {
  return buffer.byteLength !== 0;
}

/** A resizable buffer could change its capacity under the allocator: never pool one. */
function isResizable(buffer: ArrayBuffer): boolean {
  return (buffer as { resizable?: boolean }).resizable === true;
}

let forceCollection: (() => void) | undefined;

/**
 * A full garbage collection, now. `global.gc` where the process runs with --expose-gc;
 * otherwise the same function taken from a fresh context created while the flag is on
 * (the flag only decides whether new contexts get `gc`; it is turned off again at once).
 */
function collectGarbage(): void {
  if (forceCollection === undefined) {
    const exposed = (globalThis as { gc?: unknown }).gc;
    if (typeof exposed === "function") {
      forceCollection = exposed as () => void;
    } else {
      setFlagsFromString("--expose-gc");
      try {
        forceCollection = runInNewContext("gc") as () => void;
      } finally {
        setFlagsFromString("--no-expose-gc");
      }
    }
  }
  forceCollection();
}

function disposedError(operation: string): LgallocError {
  return new LgallocError(
    "ERR_LGALLOC_DISPOSED",
    `${operation}: the region was disposed or transferred`,
  );
}

function malformedToken(reason: string): LgallocError {
  return new LgallocError("ERR_LGALLOC_INVALID_TOKEN", `The token is malformed: ${reason}`);
}

class FallbackBackend implements Backend {
  readonly kind = "fallback" as const;

  private readonly classes: readonly SizeClass[];
  private settings: BackendConfig = initialConfig();
  /** Every handle this backend made, so that no other object can pass for one. */
  private readonly records = new WeakSet<RegionRecord>();
  /**
   * Each live region's buffer, to its record: a WeakMap rather than a WeakRef on the
   * record, because creating a WeakRef keeps its target alive until the current job ends,
   * so a region dropped in the job that made it could not be collected by a `gc()` there.
   */
  private readonly owners = new WeakMap<ArrayBuffer, RegionRecord>();
  /**
   * The garbage-collection backstop: a live region whose buffer becomes unreachable is
   * gone, memory and all. Its callbacks only run on the event loop, never synchronously.
   */
  private readonly registry = new FinalizationRegistry<RegionRecord>((record) =>
    this.collect(record),
  );
  private backgroundTimer: NodeJS.Timeout | undefined;

  // Counters of the JS side (the addon's BindingCounters), per thread here.
  private disposed = 0;
  private collected = 0;
  private transferred = 0;
  private adopted = 0;
  private releasedTokens = 0;
  private mmapFailures = 0;
  private backgroundPasses = 0;
  private copiedBytes = 0;

  constructor() {
    const classes: SizeClass[] = [];
    for (let index = 0; index < SIZE_CLASS_COUNT; index++) {
      classes.push({
        index,
        regionBytes: classBytes(index),
        pool: [],
        pending: [],
        live: 0,
        allocations: 0,
        slowPath: 0,
        refill: 0,
        deallocations: 0,
        clearEagerTotal: 0,
        clearSlowTotal: 0,
        trimmedAreas: 0,
      });
    }
    this.classes = classes;
  }

  /**
   * @throws LgallocError `ERR_LGALLOC_INVALID_SIZE` (with `size`) outside 2 MiB..64 GiB,
   *   `ERR_LGALLOC_DISABLED` while disabled, `ERR_LGALLOC_OUT_OF_MEMORY` (with `size`, and
   *   `limit` when the memory limit was reached) when no buffer could be made. On error
   *   nothing was allocated.
   */
  allocate(byteLength: number): RawRegion {
    const index = sizeClassIndexFor(byteLength);
    if (index === undefined) {
      throw new LgallocRangeError(
        "ERR_LGALLOC_INVALID_SIZE",
        'The value of "byteLength" is out of range. It must be >= 2097152 (2 MiB) and ' +
          `<= 68719476736 (64 GiB). Received ${byteLength}`,
        { size: byteLength },
      );
    }
    if (!this.settings.enabled) {
      throw new LgallocError(
        "ERR_LGALLOC_DISABLED",
        "The allocator is disabled; enable it with configure({ enabled: true })",
      );
    }
    const sizeClass = this.sizeClass(index);
    let buffer = sizeClass.pool.pop();
    let knownZero = false;
    if (buffer === undefined) {
      // Counted per attempt, like the addon's slow path and refill (a failed refill too).
      sizeClass.slowPath++;
      sizeClass.refill++;
      buffer = this.createBuffer(sizeClass, byteLength);
      knownZero = true;
    }
    // Counted on success only, so that allocations - deallocations is what callers hold.
    sizeClass.allocations++;
    return this.open(sizeClass, buffer, knownZero);
  }

  /** @throws TypeError `ERR_INVALID_ARG_TYPE` for a foreign handle or buffer. */
  dispose(handle: unknown, buffer: ArrayBuffer): boolean {
    const record = this.record(handle);
    if (record.state !== "live") return false;
    if (this.owners.get(buffer) === record && !isAttached(buffer)) {
      // Other code moved the buffer away (a transferring structuredClone of region.buffer):
      // its memory is theirs now, so the region ends with nothing to pool.
      this.close(record, "released");
      this.disposed++;
      record.sizeClass.deallocations++;
      return true;
    }
    const moved = move(this.ownBuffer(record, buffer));
    this.close(record, "released");
    this.disposed++;
    this.giveBack(record.sizeClass, moved);
    return true;
  }

  /** Copies: ordinary ArrayBuffers cannot exchange their memory. */
  reallocate(handle: unknown, buffer: ArrayBuffer, byteLength: number): RawRegion {
    const record = this.record(handle);
    if (record.state !== "live") throw disposedError("reallocate");
    const own = this.ownBuffer(record, buffer);
    const fresh = this.allocate(byteLength);
    const kept = Math.min(own.byteLength, fresh.buffer.byteLength);
    new Uint8Array(fresh.buffer, 0, kept).set(new Uint8Array(own, 0, kept));
    this.copiedBytes += kept;
    this.dispose(handle, own);
    return fresh;
  }

  /**
   * Nothing to advise: an ArrayBuffer's pages are the engine's. Still checks what the
   * addon checks, so that a mistake fails the same way on both backends.
   *
   * @throws LgallocError `ERR_LGALLOC_DISPOSED` for a released or transferred region,
   *   `ERR_LGALLOC_OUT_OF_BOUNDS` for a range beyond the capacity.
   */
  prefetch(handle: unknown, byteOffset: number, byteLength: number): void {
    const record = this.record(handle);
    if (record.state !== "live") throw disposedError("prefetch");
    const capacity = record.sizeClass.regionBytes;
    if (byteOffset > capacity || byteLength > capacity - byteOffset) {
      throw new LgallocRangeError(
        "ERR_LGALLOC_OUT_OF_BOUNDS",
        `prefetch: the range at byte offset ${byteOffset} of length ${byteLength} does not ` +
          `fit in the region's capacity of ${capacity} bytes`,
      );
    }
  }

  /**
   * The token carries the memory itself (`buffer`), since no table is shared between
   * threads here.
   *
   * @throws LgallocError `ERR_LGALLOC_DISPOSED` for a released or transferred region;
   *   TypeError `ERR_INVALID_ARG_TYPE` for a foreign handle or buffer.
   */
  transfer(handle: unknown, buffer: ArrayBuffer): RawToken {
    const record = this.record(handle);
    if (record.state !== "live") throw disposedError("transfer");
    const own = this.ownBuffer(record, buffer);
    // The id only names the token (as the addon's does); the buffer is what it carries.
    const id = randomBytes(16).toString("hex");
    const moved = move(own);
    this.close(record, "transferred");
    this.transferred++;
    const sizeClass = record.sizeClass;
    this.prunePending(sizeClass);
    sizeClass.pending.push(new WeakRef(moved));
    return { id, buffer: moved };
  }

  /**
   * Moves the token's buffer once more, so that the same token, or a copy of it made on
   * this thread, can never be adopted twice. (A token posted without its transferList
   * arrives with a copy of the buffer: sender and receiver then each hold a distinct
   * buffer, and each can be adopted once.)
   *
   * @throws LgallocError `ERR_LGALLOC_INVALID_TOKEN` for a malformed token or one whose
   *   buffer was already moved (adopted, released, or sent elsewhere).
   */
  adopt(token: RawToken): RawRegion {
    const found = this.tokenBuffer(token);
    if (found === undefined) {
      throw new LgallocError(
        "ERR_LGALLOC_INVALID_TOKEN",
        "The token is unknown or was already adopted or released",
      );
    }
    const { buffer, sizeClass } = found;
    const moved = this.moveTokenBuffer(buffer);
    this.adopted++;
    // The sender wrote to it; nothing is known about its bytes.
    return this.open(sizeClass, moved, false);
  }

  /**
   * Puts a token's buffer in this thread's pool. False if the buffer was already moved.
   *
   * @throws LgallocError `ERR_LGALLOC_INVALID_TOKEN` for a malformed token.
   */
  releaseToken(token: RawToken): boolean {
    const found = this.tokenBuffer(token);
    if (found === undefined) return false;
    const { buffer, sizeClass } = found;
    const moved = this.moveTokenBuffer(buffer);
    this.releasedTokens++;
    this.giveBack(sizeClass, moved);
    return true;
  }

  /** Applies the fields that are present; the JS layer has validated them. */
  configure(update: Partial<BackendConfig>): void {
    const next = overlay(this.settings, update);
    if (next.background !== null) next.background = { ...next.background };
    this.settings = next;
    // Like the addon's worker: a new schedule starts one full interval from now.
    if (update.background !== undefined) this.schedule(next.background);
  }

  config(): BackendConfig {
    const { background } = this.settings;
    return { ...this.settings, background: background === null ? null : { ...background } };
  }

  stats(): BackendStats {
    const sizeClasses: BackendSizeClassStats[] = [];
    let mappedBytes = 0;
    let liveRegions = 0;
    let liveBytes = 0;
    let pendingTransfers = 0;
    let pendingTransferBytes = 0;
    for (const sizeClass of this.classes) {
      const pending = this.prunePending(sizeClass);
      const areas = sizeClass.live + sizeClass.pool.length + pending;
      const pooled = sizeClass.pool.length;
      sizeClasses.push({
        regionBytes: sizeClass.regionBytes,
        // Each buffer is its own "area": it exists as one allocation, and goes away whole.
        areas,
        areaTotalBytes: areas * sizeClass.regionBytes,
        freeRegions: pooled,
        cleanRegions: 0,
        globalRegions: pooled,
        threadRegions: 0,
        allocations: sizeClass.allocations,
        slowPath: sizeClass.slowPath,
        refill: sizeClass.refill,
        deallocations: sizeClass.deallocations,
        clearEagerTotal: sizeClass.clearEagerTotal,
        clearSlowTotal: sizeClass.clearSlowTotal,
        trimmedAreas: sizeClass.trimmedAreas,
        madviseFailures: 0,
      });
      mappedBytes += areas * sizeClass.regionBytes;
      liveRegions += sizeClass.live;
      liveBytes += sizeClass.live * sizeClass.regionBytes;
      pendingTransfers += pending;
      pendingTransferBytes += pending * sizeClass.regionBytes;
    }
    return {
      sizeClasses,
      mappedBytes,
      memoryLimitBytes: this.settings.memoryLimitBytes,
      mmapFailures: this.mmapFailures,
      backgroundPasses: this.backgroundPasses,
      lastOsErrno: 0,
      hugePageAdviceFailed: false,
      movedBytes: 0,
      copiedBytes: this.copiedBytes,
      js: {
        liveRegions,
        liveBytes,
        disposed: this.disposed,
        collected: this.collected,
        transferred: this.transferred,
        adopted: this.adopted,
        // This thread's view; see SizeClass.pending.
        pendingTransfers,
        pendingTransferBytes,
        releasedTokens: this.releasedTokens,
      },
    };
  }

  /** Drops every pooled buffer; the garbage collector gives their memory back. */
  trim(): { areasUnmapped: number; bytesUnmapped: number } {
    let areasUnmapped = 0;
    let bytesUnmapped = 0;
    for (const sizeClass of this.classes) {
      const count = sizeClass.pool.length;
      sizeClass.pool.length = 0;
      sizeClass.trimmedAreas += count;
      areasUnmapped += count;
      bytesUnmapped += count * sizeClass.regionBytes;
    }
    return { areasUnmapped, bytesUnmapped };
  }

  /** No mappings of our own to list. */
  areas(): BackendArea[] {
    return [];
  }

  /** The pools are this thread's already; there is no global pool to flush to. */
  flushThreadCache(): void {}

  // Internals.

  private sizeClass(index: number): SizeClass {
    const sizeClass = this.classes[index];
    if (sizeClass === undefined) throw new RangeError(`no size class ${index}`);
    return sizeClass;
  }

  /**
   * A new zeroed buffer for `sizeClass`, within the memory limit. `requested` is what the
   * caller asked for, reported as the error's `size` like the addon does.
   */
  private createBuffer(sizeClass: SizeClass, requested: number): ArrayBuffer {
    const limit = this.settings.memoryLimitBytes;
    if (limit !== 0 && this.mappedBytes() + sizeClass.regionBytes > limit) {
      const held = this.heldBytes();
      if (held.live + held.pooled + held.inTransit + sizeClass.regionBytes > limit) {
        throw new LgallocError(
          "ERR_LGALLOC_OUT_OF_MEMORY",
          `Out of memory: allocating ${requested} bytes would exceed the memory limit of ` +
            `${limit} bytes (live: ${held.live} bytes, waiting for collection: ` +
            `${held.waiting} bytes, in transit: ${held.inTransit} bytes, pooled: ` +
            `${held.pooled} bytes; the fallback backend learns that a region was collected ` +
            "only once control returns to the event loop)",
          { size: requested, limit },
        );
      }
    }
    try {
      return new ArrayBuffer(sizeClass.regionBytes);
    } catch (error) {
      // V8 throws RangeError ("Array buffer allocation failed") when the memory is refused:
      // this backend's equivalent of a failed mmap.
      if (!(error instanceof RangeError)) throw error;
      this.mmapFailures++;
      throw new LgallocError(
        "ERR_LGALLOC_OUT_OF_MEMORY",
        `Out of memory: new ArrayBuffer failed while allocating ${requested} bytes ` +
          `(${error.message})`,
        { size: requested },
      );
    }
  }

  /** Bytes of this thread's buffers: live, pooled, and pending in tokens. */
  private mappedBytes(): number {
    let bytes = 0;
    for (const sizeClass of this.classes) {
      const count = sizeClass.live + sizeClass.pool.length + this.prunePending(sizeClass);
      bytes += count * sizeClass.regionBytes;
    }
    return bytes;
  }

  /**
   * What the pool's buffers really hold, for the memory limit. The counters call a region
   * live until its FinalizationRegistry callback runs, which only happens on the event loop:
   * a synchronous loop that drops regions without disposing them would see the limit
   * reached while their memory is long free. So, as Java's `Bits.reserveMemory` does for
   * direct buffers, collect garbage first; then V8's own count of ArrayBuffer bytes
   * (`process.memoryUsage().arrayBuffers`, which includes every other buffer of this
   * thread too) bounds what live regions can still hold. Regions counted live beyond that
   * bound are unreachable, waiting for their collection to be seen.
   */
  private heldBytes(): { live: number; waiting: number; pooled: number; inTransit: number } {
    let counted = 0;
    let pooled = 0;
    let inTransit = 0;
    for (const sizeClass of this.classes) {
      counted += sizeClass.live * sizeClass.regionBytes;
      pooled += sizeClass.pool.length * sizeClass.regionBytes;
      inTransit += this.prunePending(sizeClass) * sizeClass.regionBytes;
    }
    let waiting = 0;
    if (counted > 0) {
      collectGarbage();
      const arrayBuffers = process.memoryUsage().arrayBuffers;
      waiting = Math.max(0, Math.min(counted, counted + pooled + inTransit - arrayBuffers));
    }
    return { live: counted - waiting, waiting, pooled, inTransit };
  }

  /** Hands out `buffer` as a new live region. */
  private open(sizeClass: SizeClass, buffer: ArrayBuffer, knownZero: boolean): RawRegion {
    const record: RegionRecord = { state: "live", sizeClass };
    this.records.add(record);
    this.owners.set(buffer, record);
    this.registry.register(buffer, record, record);
    sizeClass.live++;
    return { handle: record, buffer, knownZero, sizeClassIndex: sizeClass.index };
  }

  /** Ends a live region's life here (the caller has moved its buffer away). */
  private close(record: RegionRecord, state: Exclude<RegionState, "live">): void {
    record.state = state;
    this.registry.unregister(record);
    record.sizeClass.live--;
  }

  /** The finalizer: a live region's buffer was collected, memory and all. */
  private collect(record: RegionRecord): void {
    if (record.state !== "live") return;
    record.state = "released";
    record.sizeClass.live--;
    this.collected++;
  }

  /**
   * Returns a released buffer to its pool. With eagerReturn, a buffer beyond what the
   * addon's thread cache would keep (localBufferBytes per class) is dropped instead: the
   * closest thing to MADV_DONTNEED is letting the garbage collector free it.
   */
  private giveBack(sizeClass: SizeClass, buffer: ArrayBuffer): void {
    sizeClass.deallocations++;
    const cached = Math.floor(this.settings.localBufferBytes / sizeClass.regionBytes);
    if (this.settings.eagerReturn && sizeClass.pool.length >= cached) {
      sizeClass.clearEagerTotal++;
      return;
    }
    sizeClass.pool.push(buffer);
  }

  /** Forgets pending buffers that left this thread; returns how many are still here. */
  private prunePending(sizeClass: SizeClass): number {
    const { pending } = sizeClass;
    let kept = 0;
    for (const ref of pending) {
      const buffer = ref.deref();
      if (buffer !== undefined && isAttached(buffer)) pending[kept++] = ref;
    }
    pending.length = kept;
    return kept;
  }

  /** `handle` as one of our records. */
  private record(handle: unknown): RegionRecord {
    // WeakSet.has is false (not an error) for primitives.
    if (!this.records.has(handle as RegionRecord)) {
      throw new InvalidArgTypeError("handle", "a region handle", handle);
    }
    return handle as RegionRecord;
  }

  /**
   * `buffer`, checked to be the live region's own. A live region's buffer is never
   * detached (only dispose and transfer detach it, after which the region is not live), so
   * anything else is a caller's mistake.
   */
  private ownBuffer(record: RegionRecord, buffer: unknown): ArrayBuffer {
    if (!types.isArrayBuffer(buffer)) {
      throw new InvalidArgTypeError("buffer", "an ArrayBuffer", buffer);
    }
    if (this.owners.get(buffer) !== record || buffer.byteLength !== record.sizeClass.regionBytes) {
      throw new InvalidArgTypeError("buffer", "the region's own ArrayBuffer", buffer);
    }
    return buffer;
  }

  /**
   * The token's buffer and its size class, or undefined if the buffer was already moved
   * away (the token is spent).
   *
   * @throws LgallocError `ERR_LGALLOC_INVALID_TOKEN` for a malformed token.
   */
  private tokenBuffer(token: RawToken): { buffer: ArrayBuffer; sizeClass: SizeClass } | undefined {
    if (typeof token !== "object" || token === null) throw malformedToken("it must be an object");
    const { id, buffer } = token as { id?: unknown; buffer?: unknown };
    if (typeof id !== "string" || !/^[0-9a-f]{32}$/.test(id)) {
      throw malformedToken("its id must be 32 lowercase hex digits");
    }
    if (!types.isArrayBuffer(buffer)) {
      throw malformedToken(
        "it carries no ArrayBuffer (send it with port.postMessage(token, token.transferList))",
      );
    }
    if (!isAttached(buffer)) return undefined;
    const index = sizeClassIndexFor(buffer.byteLength);
    if (index === undefined || classBytes(index) !== buffer.byteLength || isResizable(buffer)) {
      throw malformedToken(
        "its buffer must be a fixed-length ArrayBuffer whose byteLength is a size class (a " +
          `power of two from 2097152 to 68719476736). Received byteLength ${buffer.byteLength}`,
      );
    }
    return { buffer, sizeClass: this.sizeClass(index) };
  }

  /**
   * Moves a token's buffer here. A buffer over memory V8 does not own (an external
   * buffer, e.g. from the native backend) is copied rather than moved and stays attached,
   * which would let the token be used again: refuse it.
   */
  private moveTokenBuffer(buffer: ArrayBuffer): ArrayBuffer {
    const moved = move(buffer);
    if (isAttached(buffer)) {
      throw malformedToken("its buffer cannot be moved (external memory)");
    }
    return moved;
  }

  /** (Re)starts or stops the background pass. */
  private schedule(background: BackendConfig["background"]): void {
    if (this.backgroundTimer !== undefined) {
      clearInterval(this.backgroundTimer);
      this.backgroundTimer = undefined;
    }
    if (background === null) return;
    const intervalMs = Math.min(Math.max(background.intervalNs / NS_PER_MS, 1), MAX_TIMER_MS);
    const timer = setInterval(() => this.backgroundPass(), intervalMs);
    // A pool's housekeeping must never keep a process or a worker alive.
    timer.unref();
    this.backgroundTimer = timer;
  }

  /**
   * The addon's background pass hands up to `clearBytes` of spare regions per class back to
   * the kernel (MADV_FREE). Here the way to give memory back is to drop the buffer, taking
   * the coldest (least recently released) first.
   */
  private backgroundPass(): void {
    const clearBytes = this.settings.background?.clearBytes ?? 0;
    if (clearBytes > 0) {
      for (const sizeClass of this.classes) {
        const wanted = Math.ceil(clearBytes / sizeClass.regionBytes);
        const count = Math.min(wanted, sizeClass.pool.length);
        sizeClass.pool.splice(0, count);
        sizeClass.clearSlowTotal += count;
      }
    }
    this.backgroundPasses++;
  }
}

/** A new, independent fallback backend: its own pools, counters and background timer. */
export function createFallbackBackend(): Backend {
  return new FallbackBackend();
}
