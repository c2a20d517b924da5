// A model-based fuzzer over the public API of @lgalloc/core, @lgalloc/collections and
// @lgalloc/arrow: a seeded PRNG picks a sequence of calls with valid, malformed and
// hostile arguments (disposed objects, foreign `this`, `Object.create(Region.prototype)`,
// Proxies, forged and replayed tokens, `valueOf` that disposes the target or reconfigures
// the allocator in the middle of the call, huge, negative, fractional, NaN and BigInt
// sizes), and after every step checks the objects against a plain model: values, lengths,
// that every error carries a stable `code`, and at the end that the pools balance.
//
// `runFuzz({ seed, steps })` returns null or the first violation with its step; the same
// seed replays the same sequence. test/src/api-fuzz.test.ts runs it bounded;
// `npm run fuzz -- --seconds N` runs it for long.

import {
  adopt,
  allocate,
  allocateUnsafe,
  configure,
  config,
  isRegion,
  Region,
  releaseToken,
  stats,
  tryAllocate,
  type RegionToken,
} from "@lgalloc/core";
import { ColumnBuffer, LargeVec } from "@lgalloc/collections";
import { PooledTableBuilder } from "@lgalloc/arrow";

const MiB = 2 ** 20;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RegionModel {
  region: Region;
  capacity: number;
  /** The byte written at the start, the middle and the end; null until written. */
  mark: number | null;
  disposed: boolean;
}

interface VecModel {
  vec: LargeVec<Float64Array>;
  values: number[];
  disposed: boolean;
}

interface ColumnModel {
  column: ColumnBuffer<"int32">;
  values: (number | null)[];
  disposed: boolean;
}

export interface FuzzFailure {
  seed: number;
  step: number;
  operation: string;
  message: string;
}

class Violation extends Error {}

/** Sizes a caller may pass, with what `allocate` must do with each. */
const SIZES: { size: unknown; valid: boolean }[] = [
  { size: 2 * MiB, valid: true },
  { size: 3 * MiB, valid: true },
  { size: 8 * MiB, valid: true },
  { size: 2 * MiB - 1, valid: false },
  { size: 0, valid: false },
  { size: -1, valid: false },
  { size: 2.5 * MiB + 0.5, valid: false },
  { size: Number.NaN, valid: false },
  { size: Infinity, valid: false },
  { size: 2 ** 37, valid: false },
  { size: 2n * BigInt(MiB), valid: false },
  { size: "4194304", valid: false },
  { size: null, valid: false },
  { size: undefined, valid: false },
  { size: { valueOf: () => 4 * MiB }, valid: false },
];

export function runFuzz({ seed, steps }: { seed: number; steps: number }): FuzzFailure | null {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const regions: RegionModel[] = [];
  const vecs: VecModel[] = [];
  const columns: ColumnModel[] = [];
  const spentTokens: RegionToken[] = [];
  const baseline = stats();
  const initialConfig = config();
  let operation = "";

  const fail = (message: string): never => {
    throw new Violation(message);
  };
  const expectCode = (error: unknown, codes: readonly string[]) => {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== "string") fail(`an error without a code: ${String(error)}`);
    if (!codes.includes(code as string))
      fail(`error code ${String(code)}, expected ${codes.join(" or ")}`);
  };
  /** Runs `call`; it must either succeed or throw one of `codes`. */
  const attempt = <T>(call: () => T, codes: readonly string[]): T | undefined => {
    try {
      return call();
    } catch (error) {
      if (error instanceof Violation) throw error;
      expectCode(error, codes);
      return undefined;
    }
  };
  const mustThrow = (call: () => unknown, codes: readonly string[]) => {
    try {
      call();
    } catch (error) {
      if (error instanceof Violation) throw error;
      expectCode(error, codes);
      return;
    }
    fail(`succeeded; expected ${codes.join(" or ")}`);
  };
  const live = <T extends { disposed: boolean }>(items: T[]) => items.filter((m) => !m.disposed);

  const checkRegion = (model: RegionModel) => {
    if (model.region.disposed !== model.disposed) fail("disposed disagrees with the model");
    if (model.disposed) {
      mustThrow(() => model.region.view(Uint8Array), ["ERR_LGALLOC_DISPOSED"]);
      return;
    }
    if (model.region.capacity !== model.capacity) fail("capacity changed");
    if (model.mark !== null) {
      const bytes = model.region.view(Uint8Array);
      for (const at of [0, model.capacity >>> 1, model.capacity - 1]) {
        if (bytes[at] !== model.mark)
          fail(`byte ${at} is ${bytes[at]}, the owner wrote ${model.mark}`);
      }
    }
  };
  const checkVec = (model: VecModel) => {
    if (model.vec.disposed !== model.disposed) fail("LargeVec disposed disagrees with the model");
    if (model.disposed) return;
    if (model.vec.length !== model.values.length) {
      fail(`LargeVec length ${model.vec.length}, model ${model.values.length}`);
    }
    for (const at of [0, model.values.length >>> 1, model.values.length - 1]) {
      if (at < 0 || at >= model.values.length) continue;
      if (!Object.is(model.vec.get(at), model.values[at])) fail(`LargeVec[${at}] differs`);
    }
  };
  const checkColumn = (model: ColumnModel) => {
    if (model.column.disposed !== model.disposed) fail("ColumnBuffer disposed disagrees");
    if (model.disposed) return;
    if (model.column.length !== model.values.length) fail("ColumnBuffer length differs");
    const nulls = model.values.filter((v) => v === null).length;
    if (model.column.nullCount !== nulls) fail("ColumnBuffer nullCount differs");
    if (model.values.length > 0) {
      const at = model.values.length - 1;
      if (model.column.get(at) !== model.values[at]) fail(`ColumnBuffer[${at}] differs`);
    }
  };

  const operations: Record<string, () => void> = {
    allocate: () => {
      const { size, valid } = pick(SIZES);
      const make = pick([allocate, allocateUnsafe, tryAllocate]);
      const region = attempt(
        () => make(size as number),
        [
          "ERR_INVALID_ARG_TYPE",
          "ERR_OUT_OF_RANGE",
          "ERR_LGALLOC_INVALID_SIZE",
          "ERR_LGALLOC_OUT_OF_MEMORY",
        ],
      );
      if (region === undefined) return;
      if (!valid) fail(`allocate(${String(size)}) succeeded`);
      if (make !== allocateUnsafe) {
        const bytes = region.view(Uint8Array);
        if (bytes[0] !== 0 || bytes[bytes.length - 1] !== 0) fail("a zeroed allocation holds data");
      }
      regions.push({ region, capacity: region.capacity, mark: null, disposed: false });
    },
    write: () => {
      const model = pick(live(regions));
      if (!model) return;
      const mark = 1 + Math.floor(random() * 254);
      const bytes = model.region.view(Uint8Array);
      for (const at of [0, model.capacity >>> 1, model.capacity - 1]) bytes[at] = mark;
      model.mark = mark;
    },
    dispose: () => {
      const model = pick(regions);
      if (!model) return;
      const views = model.disposed ? [] : [model.region.view(Float64Array)];
      model.region.dispose();
      model.disposed = true;
      for (const view of views) if (view.length !== 0) fail("a view survived dispose()");
    },
    transferAdopt: () => {
      const model = pick(live(regions));
      if (!model) return;
      const token = model.region.transfer();
      model.disposed = true;
      const region = adopt(structuredClone(token, { transfer: [...token.transferList] }));
      spentTokens.push(token);
      regions.push({ region, capacity: model.capacity, mark: model.mark, disposed: false });
    },
    replayToken: () => {
      const token = pick(spentTokens);
      if (!token) return;
      mustThrow(() => adopt(token), ["ERR_LGALLOC_INVALID_TOKEN"]);
      if (releaseToken(token)) fail("releaseToken of a spent token returned true");
    },
    forgedToken: () => {
      const id = pick(["", "a".repeat(32), "0".repeat(31), 42, null]);
      const forged = { kind: "lgalloc.RegionToken", id, byteLength: 2 * MiB, transferList: [] };
      mustThrow(
        () => adopt(forged as unknown as RegionToken),
        ["ERR_LGALLOC_INVALID_TOKEN", "ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_VALUE"],
      );
    },
    hostileView: () => {
      const model = pick(live(regions));
      if (!model) return;
      const offset = pick<unknown>([-8, 3, 1e20, Number.NaN, 8n, "8", model.capacity + 8, 16]);
      const ctor = pick<unknown>([Float64Array, Uint8Array, Buffer, Object, Array, function () {}]);
      const view = attempt(
        () => model.region.view(ctor as Float64ArrayConstructor, offset as number),
        ["ERR_INVALID_ARG_TYPE", "ERR_OUT_OF_RANGE", "ERR_INVALID_ARG_VALUE"],
      );
      if (view !== undefined && view.byteOffset !== offset) fail("view at the wrong offset");
    },
    disposingValueOf: () => {
      // User code inside the call disposes the very region being used.
      const model = pick(live(regions));
      if (!model) return;
      const sneaky = {
        valueOf: () => {
          model.region.dispose();
          model.disposed = true;
          return 0;
        },
      };
      attempt(
        () => model.region.prefetch(sneaky as unknown as number),
        ["ERR_INVALID_ARG_TYPE", "ERR_LGALLOC_DISPOSED"],
      );
      if (!model.disposed && model.region.disposed) fail("disposed behind the model's back");
    },
    foreignThis: () => {
      const target = pick<unknown>([{}, Object.create(Region.prototype), new Proxy({}, {}), null]);
      const method = pick(["dispose", "transfer", "view", "reallocate", "prefetch"] as const);
      mustThrow(
        () =>
          (Region.prototype[method] as (...args: unknown[]) => unknown).call(target, Uint8Array),
        ["ERR_INVALID_THIS"],
      );
      if (isRegion(target)) fail("isRegion accepted a foreign object");
    },
    reallocate: () => {
      const model = pick(live(regions));
      if (!model) return;
      const { size, valid } = pick(SIZES);
      const next = attempt(
        () => model.region.reallocate(size as number),
        [
          "ERR_INVALID_ARG_TYPE",
          "ERR_OUT_OF_RANGE",
          "ERR_LGALLOC_INVALID_SIZE",
          "ERR_LGALLOC_OUT_OF_MEMORY",
        ],
      );
      if (next === undefined) return;
      if (!valid) fail(`reallocate(${String(size)}) succeeded`);
      model.disposed = true;
      // The first byte is kept whatever the new size; the others may be past a shrink.
      const bytes = next.view(Uint8Array);
      if (model.mark !== null && bytes[0] !== model.mark) fail("reallocate lost the first byte");
      regions.push({ region: next, capacity: next.capacity, mark: null, disposed: false });
    },
    reconfigure: () => {
      const update = pick<unknown>([
        { localBufferBytes: pick([0, 4 * MiB, 32 * MiB]) },
        { eagerReturn: random() < 0.5 },
        { localBufferBytes: -1 },
        { memoryLimitBytes: Number.NaN },
        { background: { intervalMs: 0, clearBytes: 1 } },
        { nonsense: 1 },
        "enabled",
      ]);
      const before = config();
      const ok = attempt(
        () => configure(update as never),
        ["ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_VALUE", "ERR_OUT_OF_RANGE"],
      );
      if (ok === undefined && JSON.stringify(config()) !== JSON.stringify(before)) {
        fail("a refused configure changed the configuration");
      }
    },
    vecNew: () => {
      const length = pick([0, 3, 1000, 300_000]);
      const vec = new LargeVec(Float64Array, length);
      vecs.push({ vec, values: new Array<number>(length).fill(0), disposed: false });
    },
    vecPush: () => {
      const model = pick(live(vecs));
      if (!model) return;
      const count = pick([1, 10, 5000]);
      for (let i = 0; i < count; i++) {
        const value = random() * 1e6;
        model.vec.push(value);
        model.values.push(value);
      }
    },
    vecExtendLying: () => {
      // A typed array whose `length` property lies must be read by its real length.
      const model = pick(live(vecs));
      if (!model) return;
      const source = new Float64Array([1.5, 2.5]);
      Object.defineProperty(source, "length", { value: 1 << 20 });
      attempt(() => model.vec.extend(source), ["ERR_INVALID_ARG_TYPE"]);
      if (model.vec.length === model.values.length + 2) model.values.push(1.5, 2.5);
    },
    vecDisposingSource: () => {
      // The source's getter disposes the vector mid-call: the vector must end disposed.
      const model = pick(live(vecs));
      if (!model) return;
      const source = {
        get length() {
          model.vec.dispose();
          model.disposed = true;
          return 2;
        },
        0: 1,
        1: 2,
      };
      attempt(() => model.vec.extend(source), ["ERR_LGALLOC_DISPOSED", "ERR_INVALID_ARG_TYPE"]);
      if (!model.vec.disposed) fail("the vector survived its own disposal");
      mustThrow(() => model.vec.push(1), ["ERR_LGALLOC_DISPOSED"]);
    },
    vecPopSet: () => {
      const model = pick(live(vecs));
      if (!model) return;
      if (random() < 0.5) {
        if (!Object.is(model.vec.pop(), model.values.pop())) fail("pop differs");
      } else if (model.values.length > 0) {
        const at = Math.floor(random() * model.values.length);
        model.vec.set(at, at * 0.25);
        model.values[at] = at * 0.25;
      }
    },
    vecBadIndex: () => {
      const model = pick(live(vecs));
      if (!model) return;
      const index = pick<unknown>([-1, model.values.length, 1.5, Number.NaN, "0", 0n]);
      mustThrow(() => model.vec.get(index as number), ["ERR_OUT_OF_RANGE", "ERR_INVALID_ARG_TYPE"]);
    },
    vecTransfer: () => {
      const model = pick(live(vecs));
      if (!model) return;
      const token = model.vec.transfer();
      model.disposed = true;
      const vec = LargeVec.adopt<Float64Array>(token);
      vecs.push({ vec, values: model.values, disposed: false });
      mustThrow(() => LargeVec.adopt(token), ["ERR_LGALLOC_INVALID_TOKEN"]);
    },
    vecDispose: () => {
      const model = pick(vecs);
      if (!model) return;
      model.vec.dispose();
      model.disposed = true;
    },
    columnOps: () => {
      let model = pick(live(columns));
      if (!model || random() < 0.2) {
        model = { column: ColumnBuffer.create("int32"), values: [], disposed: false };
        columns.push(model);
      }
      const roll = random();
      if (roll < 0.5) {
        const value = Math.floor(random() * 2 ** 31);
        model.column.append(value);
        model.values.push(value);
      } else if (roll < 0.7) {
        model.column.appendNull();
        model.values.push(null);
      } else if (roll < 0.85) {
        mustThrow(
          () => model!.column.append(pick<unknown>([2 ** 31, "x", 1.5, 1n]) as number),
          ["ERR_OUT_OF_RANGE", "ERR_INVALID_ARG_TYPE"],
        );
      } else {
        model.column.dispose();
        model.disposed = true;
      }
    },
    arrowBuild: () => {
      using builder = new PooledTableBuilder({ x: "float64", name: "utf8" });
      const rows = 1 + Math.floor(random() * 50);
      for (let i = 0; i < rows; i++) builder.appendRow({ x: i * 0.5, name: `r${i}` });
      mustThrow(
        () => builder.appendRow({ x: "not a number", name: "bad" }),
        ["ERR_INVALID_ARG_TYPE"],
      );
      using table = builder.finish();
      if (table.numRows !== rows) fail(`table has ${table.numRows} rows, appended ${rows}`);
    },
  };
  const names = Object.keys(operations);

  let step = 0;
  try {
    for (; step < steps; step++) {
      operation = pick(names);
      operations[operation]!();
      for (const model of regions) checkRegion(model);
      for (const model of vecs) checkVec(model);
      for (const model of columns) checkColumn(model);
      // Bound the memory a long run holds.
      if (live(regions).length > 12) operations.dispose!();
      while (live(vecs).length > 4) operations.vecDispose!();
    }
    operation = "cleanup";
    for (const model of regions) model.region.dispose();
    for (const model of vecs) model.vec.dispose();
    for (const model of columns) model.column.dispose();
    configure(initialConfig);
    const after = stats();
    if (after.liveRegions !== baseline.liveRegions) {
      fail(
        `${after.liveRegions - baseline.liveRegions} regions still live after disposing everything`,
      );
    }
    return null;
  } catch (error) {
    try {
      configure(initialConfig);
    } catch {
      // the failure below is what matters
    }
    const message =
      error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
    return { seed, step, operation, message };
  }
}
