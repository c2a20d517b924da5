// A model-based property of LargeVec, shared by the mocha test (large-vec-model.test.ts) and
// the process fixture that runs it with small chunks (fixtures/large-vec-model-chunked.ts):
// random sequences of operations are applied to a vector of one element kind and to a plain
// array of expected values (each value converted through a one-element typed array of the
// same kind); after every step the length, the storage invariants and the elements (all of
// them, or a sample for long vectors) must agree, and at the end every element. Operations
// that must fail (wrong types, bad indices) are mixed in: they must throw and change nothing.

import fc from "fast-check";
import type { TypedArray } from "@lgalloc/core";
import { LargeVec } from "@lgalloc/collections";
import {
  convert,
  firstDifference,
  sampleIndices,
  typedOrder,
  zero,
  type Element,
  type Kind,
} from "./large-vec";

const REGION_BYTES = 2 ** 21;

export type Op =
  | { op: "push"; value: unknown }
  | { op: "pushMany"; values: unknown[] }
  | { op: "pop" }
  | { op: "set"; at: number; value: unknown }
  | { op: "resize"; length: number; fill: unknown }
  | { op: "truncate"; length: number }
  | {
      op: "extend";
      how: "array" | "typed" | "iterable" | "vector";
      values: unknown[];
      repeat: number;
    }
  | { op: "clear" }
  | { op: "shrinkToFit" }
  | { op: "reserve"; additional: number }
  | { op: "fill"; value: unknown; start: number | undefined; end: number | undefined }
  | { op: "reverse" }
  | { op: "sort"; descending: boolean }
  | { op: "invalid"; which: number; value: unknown };

export interface ModelOptions {
  /** Most elements of an ordinary size argument. */
  maxSmall: number;
  /** Most elements of a big one (beyond 2 MiB to exercise pooled storage). */
  maxBig: number;
  /** Weight of big sizes against 20 for small ones. */
  bigWeight: number;
  minSteps: number;
  maxSteps: number;
}

function values(k: Kind): fc.Arbitrary<unknown> {
  if (k.bigint) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.bigInt({ min: -300n, max: 300n }) },
      { weight: 4, arbitrary: fc.bigInt({ min: -(2n ** 65n), max: 2n ** 65n }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<unknown>("12", true, false, 2n ** 63n, -(2n ** 63n)),
      },
    );
  }
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: -300, max: 300 }) },
    { weight: 2, arbitrary: fc.integer({ min: -(2 ** 33), max: 2 ** 33 }) },
    { weight: 2, arbitrary: fc.double() },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        NaN,
        -0,
        Infinity,
        -Infinity,
        0.5,
        2.5,
        255.5,
        "7",
        true,
        null,
      ),
    },
  );
}

function size(options: ModelOptions): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0, max: options.maxSmall }) },
    { weight: options.bigWeight, arbitrary: fc.integer({ min: 0, max: options.maxBig }) },
  );
}

/** Random operations for a vector of kind `k`. */
export function operations(k: Kind, options: ModelOptions): fc.Arbitrary<Op[]> {
  const value = values(k);
  const position = fc.option(fc.integer({ min: -options.maxSmall, max: options.maxSmall }), {
    nil: undefined,
  });
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: value.map((v): Op => ({ op: "push", value: v })) },
    {
      weight: 3,
      arbitrary: fc
        .array(value, { maxLength: 6 })
        .map((vs): Op => ({ op: "pushMany", values: vs })),
    },
    { weight: 3, arbitrary: fc.constant<Op>({ op: "pop" }) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), value)
        .map(([at, v]): Op => ({ op: "set", at, value: v })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(size(options), fc.option(value, { nil: undefined }))
        .map(([length, fill]): Op => ({ op: "resize", length, fill })),
    },
    { weight: 2, arbitrary: size(options).map((length): Op => ({ op: "truncate", length })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom("array", "typed", "iterable", "vector") as fc.Arbitrary<
            "array" | "typed" | "iterable" | "vector"
          >,
          fc.array(value, { minLength: 1, maxLength: 5 }),
          fc.oneof(
            { weight: 5, arbitrary: fc.integer({ min: 1, max: 4 }) },
            { weight: 1, arbitrary: fc.integer({ min: 1, max: Math.ceil(options.maxBig / 5) }) },
          ),
        )
        .map(([how, vs, repeat]): Op => ({ op: "extend", how, values: vs, repeat })),
    },
    { weight: 1, arbitrary: fc.constant<Op>({ op: "clear" }) },
    { weight: 2, arbitrary: fc.constant<Op>({ op: "shrinkToFit" }) },
    {
      weight: 2,
      arbitrary: size(options).map((additional): Op => ({ op: "reserve", additional })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(value, position, position)
        .map(([v, start, end]): Op => ({ op: "fill", value: v, start, end })),
    },
    { weight: 1, arbitrary: fc.constant<Op>({ op: "reverse" }) },
    { weight: 1, arbitrary: fc.boolean().map((descending): Op => ({ op: "sort", descending })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.integer({ min: 0, max: 7 }), fc.constantFrom(...k.refused))
        .map(([which, v]): Op => ({ op: "invalid", which, value: v })),
    },
  );
  return fc.array(op, { minLength: options.minSteps, maxLength: options.maxSteps });
}

/** Converted values of an extend operation, repeated. */
function repeated(k: Kind, vs: readonly unknown[], repeat: number): Element[] {
  const converted = vs.map((v) => convert(k.Ctor, v));
  const out: Element[] = new Array<Element>(converted.length * repeat);
  for (let r = 0, at = 0; r < repeat; r++) for (const v of converted) out[at++] = v;
  return out;
}

function relative(position: number | undefined, length: number, fallback: number): number {
  if (position === undefined) return fallback;
  return position < 0 ? Math.max(length + position, 0) : Math.min(position, length);
}

function sortModel(k: Kind, model: Element[], descending: boolean): void {
  if (model.length <= 20_000) {
    model.sort(descending ? (a, b) => typedOrder(b, a) : typedOrder);
    return;
  }
  // Long: the typed array's own sort is the oracle (the contract: numeric like TypedArray#sort).
  const typed = LargeVec.from(k.Ctor, model).toTypedArray() as unknown as {
    sort(): void;
  } & ArrayLike<Element>;
  typed.sort();
  for (let i = 0; i < model.length; i++) model[i] = typed[i]!;
  if (descending) model.reverse();
}

/** Applies `op` to `vec` and `model`; throws (with a description) on any disagreement. */
export function apply(k: Kind, vec: LargeVec<TypedArray>, model: Element[], op: Op): void {
  const length = model.length;
  switch (op.op) {
    case "push":
      expectSame(
        vec.push(op.value as Element),
        model.push(convert(k.Ctor, op.value)),
        "push result",
      );
      return;
    case "pushMany":
      expectSame(
        vec.push(...(op.values as Element[])),
        model.push(...op.values.map((v) => convert(k.Ctor, v))),
        "push result",
      );
      return;
    case "pop": {
      const expected = model.pop();
      if (!Object.is(vec.pop(), expected)) throw new Error(`pop: expected ${String(expected)}`);
      return;
    }
    case "set": {
      if (length === 0) return;
      const index = Math.floor(op.at * length);
      vec.set(index, op.value as Element);
      model[index] = convert(k.Ctor, op.value);
      return;
    }
    case "resize": {
      vec.resize(op.length, op.fill as Element | undefined);
      const fill = op.fill === undefined ? zero(k) : convert(k.Ctor, op.fill);
      if (op.length < length) model.length = op.length;
      else for (let i = length; i < op.length; i++) model.push(fill);
      return;
    }
    case "truncate":
      vec.truncate(op.length);
      if (op.length < length) model.length = op.length;
      return;
    case "extend": {
      const items = repeated(k, op.values, op.repeat);
      let source: unknown;
      if (op.how === "array") source = items;
      else if (op.how === "typed") source = LargeVec.from(k.Ctor, items).toTypedArray();
      else if (op.how === "iterable")
        source = (function* () {
          yield* items;
        })();
      else source = LargeVec.from(k.Ctor, items);
      expectSame(vec.extend(source as Element[]), length + items.length, "extend result");
      if (source instanceof LargeVec) source.dispose();
      for (const item of items) model.push(item);
      return;
    }
    case "clear":
      vec.clear();
      model.length = 0;
      return;
    case "shrinkToFit": {
      vec.shrinkToFit();
      const bytes = length * k.bytes;
      if (bytes < REGION_BYTES) {
        expectSame(vec.capacity, length, "capacity after shrinkToFit");
      } else {
        let region = REGION_BYTES;
        while (region < bytes) region *= 2;
        expectSame(vec.capacity, region / k.bytes, "capacity after shrinkToFit");
      }
      return;
    }
    case "reserve":
      vec.reserve(op.additional);
      if (vec.capacity < length + op.additional) throw new Error("reserve left too little room");
      return;
    case "fill": {
      vec.fill(op.value as Element, op.start, op.end);
      const v = convert(k.Ctor, op.value);
      const from = relative(op.start, length, 0);
      const to = relative(op.end, length, length);
      for (let i = from; i < to; i++) model[i] = v;
      return;
    }
    case "reverse":
      vec.reverse();
      model.reverse();
      return;
    case "sort":
      if (op.descending && length <= 20_000)
        vec.sort((a, b) => typedOrder(b as Element, a as Element));
      else vec.sort();
      sortModel(k, model, op.descending && length <= 20_000);
      return;
    case "invalid":
      expectThrows(
        () => invalid(k, vec, length, op.which, op.value),
        `invalid operation ${op.which}`,
      );
      return;
  }
}

/** One operation that must throw. */
function invalid(
  k: Kind,
  vec: LargeVec<TypedArray>,
  length: number,
  which: number,
  value: unknown,
): void {
  switch (which) {
    case 0:
      vec.push(value as Element);
      return;
    case 1:
      vec.set(length, 0 as never);
      return;
    case 2:
      // On an empty vector, set(0) throws for the index instead.
      vec.set(Math.max(0, length - 1), value as Element);
      return;
    case 3:
      vec.extend([zero(k), zero(k), value] as Element[]);
      return;
    case 4:
      vec.fill(value as Element);
      return;
    case 5:
      vec.resize(-1);
      return;
    case 6:
      vec.view(0, length + 1);
      return;
    default:
      vec.get(length + 0.5);
  }
}

function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (!Object.is(actual, expected))
    throw new Error(`${what}: ${String(actual)}, expected ${String(expected)}`);
}

function expectThrows(fn: () => unknown, what: string): void {
  let threw = false;
  try {
    fn();
  } catch {
    threw = true;
  }
  if (!threw) throw new Error(`${what} did not throw`);
}

/** Length, storage and sampled elements agree; throws otherwise. */
export function check(
  k: Kind,
  vec: LargeVec<TypedArray>,
  model: readonly Element[],
  step: number,
  full = false,
): void {
  const difference = firstDifference(
    vec,
    model,
    full ? undefined : sampleIndices(model.length, step),
  );
  if (difference !== undefined) throw new Error(`after step ${step}: ${difference}`);
  if (vec.capacity < vec.length)
    throw new Error(`capacity ${vec.capacity} below length ${vec.length}`);
  const pooled = vec.capacity * k.bytes >= REGION_BYTES;
  if (vec.storage !== (pooled ? "pooled" : "heap")) {
    throw new Error(`storage ${vec.storage} with capacity ${vec.capacity}`);
  }
}

/** The property for kind `k`: every sequence keeps vector and model in agreement. */
export function property(k: Kind, options: ModelOptions): fc.IPropertyWithHooks<[Op[]]> {
  return fc.property(operations(k, options), (ops) => {
    using vec = new LargeVec(k.Ctor);
    const model: Element[] = [];
    ops.forEach((op, step) => {
      apply(k, vec, model, op);
      check(k, vec, model, step);
    });
    check(k, vec, model, ops.length, true);
  });
}
