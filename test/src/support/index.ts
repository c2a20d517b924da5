// Shared helpers of the mocha suite: sizes, backend checks, error assertions in the
// contract's terms (class + code + a message naming the argument and the received value),
// a smoke check that the allocator still works, configuration save/restore, and waiting for
// finalizers (which only run once control returns to the event loop).

import { expect } from "chai";
import {
  allocate,
  backendKind,
  config,
  configure,
  stats,
  type Config,
  type Stats,
} from "@lgalloc/core";

export { hasPattern, writePattern } from "./pattern";

export const KiB = 2 ** 10;
export const MiB = 2 ** 20;
export const GiB = 2 ** 30;

export function isNative(): boolean {
  return backendKind() === "native";
}

/** Skips the current test unless the native backend serves this thread. */
export function requireNative(context: Mocha.Context): void {
  if (!isNative()) context.skip();
}

/** `global.gc`, which mocha gets from --expose-gc (see .mocharc.json). */
export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("run the tests with --expose-gc");
  collect();
}

/** One turn of the event loop: finalizers of collected buffers run before it ends. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function turns(count = 5): Promise<void> {
  for (let i = 0; i < count; i++) await nextTurn();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Collects garbage and turns the event loop until `done()` holds; false on timeout. */
export async function collectUntil(done: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    gc();
    await turns(3);
    if (done()) return true;
    await sleep(10);
  }
  return done();
}

/** Polls `done()` every few milliseconds; false on timeout. */
export async function waitFor(done: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    await sleep(5);
  }
  return done();
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface ExpectedError {
  /** The class the error must be an instance of (TypeError, RangeError, LgallocError...). */
  type: ErrorClass;
  code: string;
  /** Substrings the message must contain; an array entry lists alternatives. */
  message?: (string | RegExp | string[])[];
}

/** Runs `fn`, which must throw the described error; returns it. */
export function expectError(
  fn: () => unknown,
  expected: ExpectedError,
): Error & Record<string, unknown> {
  let thrown: unknown;
  let returned: unknown;
  try {
    returned = fn();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) {
    expect.fail(
      `expected ${expected.type.name} ${expected.code}, but it returned ${String(returned)}`,
    );
  }
  expect(thrown).to.be.an.instanceof(expected.type, `error class (got ${String(thrown)})`);
  const error = thrown as Error & Record<string, unknown>;
  expect(error.code).to.equal(expected.code, `code of: ${error.message}`);
  for (const part of expected.message ?? []) {
    if (part instanceof RegExp) {
      expect(error.message).to.match(part);
    } else if (Array.isArray(part)) {
      expect(
        part.some((alternative) => error.message.includes(alternative)),
        `message ${JSON.stringify(error.message)} contains one of ${JSON.stringify(part)}`,
      ).to.equal(true);
    } else {
      expect(error.message).to.contain(part);
    }
  }
  return error;
}

/** Node writes large integers with digit groups: 9_007_199_254_740_992. */
function groupDigits(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
}

/** The ways Node's argument errors may show `value` after "Received". */
export function renderings(value: unknown): string[] {
  switch (typeof value) {
    case "number":
      return Number.isInteger(value) ? [String(value), groupDigits(value)] : [String(value)];
    case "string":
      return [`'${value}'`];
    case "bigint":
      return [`${value}n`];
    case "symbol":
      return [String(value)];
    case "undefined":
      return ["undefined"];
    case "boolean":
      return [String(value)];
    case "function":
      return [`function ${value.name}`, value.name];
    default:
      if (value === null) return ["null"];
      return [`an instance of ${(value as object).constructor?.name ?? "Object"}`, "Object", "{"];
  }
}

/** An argument error: the class, the code, and a message naming `name` and `value`. */
export function expectArgError(
  fn: () => unknown,
  type: ErrorClass,
  code: string,
  name: string,
  value: unknown,
): Error & Record<string, unknown> {
  return expectError(fn, { type, code, message: [name, renderings(value)] });
}

/** Allocates, writes, reads back and disposes a region: the allocator still works. */
export function expectAllocatorWorks(): void {
  const region = allocate(2 * MiB);
  const bytes = region.view(Uint8Array);
  bytes[0] = 0x5a;
  bytes[bytes.length - 1] = 0xa5;
  expect([bytes[0], bytes[bytes.length - 1]]).to.deep.equal([0x5a, 0xa5]);
  region.dispose();
  expect(region.disposed).to.equal(true);
  expect(bytes.length).to.equal(0);
}

/** The counters a failed call must leave alone (not the background worker's figures). */
export function stableCounters(s: Stats = stats()): Record<string, number> {
  return {
    mappedBytes: s.mappedBytes,
    liveRegions: s.liveRegions,
    liveBytes: s.liveBytes,
    disposedRegions: s.disposedRegions,
    transferredRegions: s.transferredRegions,
    adoptedRegions: s.adoptedRegions,
    pendingTransfers: s.pendingTransfers,
    pendingTransferBytes: s.pendingTransferBytes,
    releasedTokens: s.releasedTokens,
    allocations: s.totals.allocations,
    deallocations: s.totals.deallocations,
    areas: s.totals.areas,
    mmapFailures: s.mmapFailures,
  };
}

/**
 * Saves the process-wide configuration before each test of the calling suite and puts it
 * back after, so that a test that changes it cannot leak into the next one.
 */
export function restoreConfigAfterEach(): void {
  let saved: Config | undefined;
  beforeEach(() => {
    saved = config();
  });
  afterEach(() => {
    if (saved !== undefined) configure(saved);
  });
}

/** Index of the size class of `capacity` in `stats().sizeClasses` (0 for 2 MiB). */
export function classIndex(capacity: number): number {
  return Math.log2(capacity) - 21;
}
