// Helpers of the LargeVec tests: the 11 element kinds with sample values, the typed-array
// conversion a model applies (store through a one-element typed array of the same kind),
// comparison of a vector with a plain array of expected values, and a value pattern to
// recognise a vector after it moved between threads (every 1000th element and the last
// ones). Free of mocha and chai, so that process and worker fixtures can use it too.

import type { TypedArray, TypedArrayConstructor } from "@lgalloc/core";
import type { LargeVec } from "@lgalloc/collections";

export type Element = number | bigint;

export interface Kind {
  Ctor: TypedArrayConstructor;
  name: string;
  bigint: boolean;
  bytes: number;
  /** Inputs of every sort the typed array accepts (converted, sometimes surprisingly). */
  inputs: readonly unknown[];
  /** Inputs the typed array refuses with a TypeError (or a SyntaxError for bigint strings). */
  refused: readonly unknown[];
  /** Plain values: distinct after conversion, in ascending order. */
  plain: readonly Element[];
}

const numberInputs: readonly unknown[] = [
  0,
  -0,
  1,
  -1,
  1.5,
  2.5,
  -2.5,
  127,
  128,
  255,
  256,
  -129,
  32768,
  65536,
  2 ** 31,
  2 ** 32 + 5,
  -(2 ** 31) - 1,
  1e300,
  NaN,
  Infinity,
  -Infinity,
  "7",
  "abc",
  true,
  null,
  undefined,
  { valueOf: () => 3 },
  [4],
];

const bigintInputs: readonly unknown[] = [
  0n,
  1n,
  -1n,
  2n ** 63n,
  2n ** 64n + 5n,
  -(2n ** 63n) - 1n,
  "12",
  true,
  false,
  { valueOf: () => 5n },
];

const numberRefused: readonly unknown[] = [1n, Symbol("x"), { valueOf: () => 2n }];
const bigintRefused: readonly unknown[] = [
  1,
  1.5,
  NaN,
  undefined,
  null,
  Symbol("x"),
  "abc",
  { valueOf: () => 2 },
];

function kind(Ctor: TypedArrayConstructor, bigint: boolean, plain: readonly Element[]): Kind {
  return {
    Ctor,
    name: Ctor.name,
    bigint,
    bytes: Ctor.BYTES_PER_ELEMENT,
    inputs: bigint ? bigintInputs : numberInputs,
    refused: bigint ? bigintRefused : numberRefused,
    plain,
  };
}

const small = [1, 2, 3, 5, 8, 13, 21, 34];

/** The 11 kinds, in the usual order. */
export const KINDS: readonly Kind[] = [
  kind(Int8Array as unknown as TypedArrayConstructor, false, [-7, ...small]),
  kind(Uint8Array as unknown as TypedArrayConstructor, false, small),
  kind(Uint8ClampedArray as unknown as TypedArrayConstructor, false, small),
  kind(Int16Array as unknown as TypedArrayConstructor, false, [-300, ...small]),
  kind(Uint16Array as unknown as TypedArrayConstructor, false, [...small, 40000]),
  kind(Int32Array as unknown as TypedArrayConstructor, false, [-70000, ...small]),
  kind(Uint32Array as unknown as TypedArrayConstructor, false, [...small, 3e9]),
  kind(Float32Array as unknown as TypedArrayConstructor, false, [-1.5, 0.5, ...small]),
  kind(Float64Array as unknown as TypedArrayConstructor, false, [-1e300, -0.25, ...small, 1e300]),
  kind(BigInt64Array as unknown as TypedArrayConstructor, true, [
    -(2n ** 62n),
    1n,
    2n,
    3n,
    2n ** 62n,
  ]),
  kind(BigUint64Array as unknown as TypedArrayConstructor, true, [1n, 2n, 3n, 2n ** 63n]),
];

/** The kind of `Ctor`. */
export function kindOf(Ctor: unknown): Kind {
  const found = KINDS.find((entry) => entry.Ctor === Ctor);
  if (found === undefined) throw new Error(`not a kind: ${String(Ctor)}`);
  return found;
}

const scratch = new Map<unknown, { [index: number]: unknown }>();

/** `value` as a typed array of `Ctor` stores it. */
export function convert(Ctor: TypedArrayConstructor, value: unknown): Element {
  let one = scratch.get(Ctor);
  if (one === undefined) {
    one = new Ctor(new ArrayBuffer(Ctor.BYTES_PER_ELEMENT), 0, 1) as unknown as {
      [index: number]: unknown;
    };
    scratch.set(Ctor, one);
  }
  one[0] = value;
  return one[0] as Element;
}

/** Zero of the kind. */
export function zero(k: Kind): Element {
  return k.bigint ? 0n : 0;
}

/** Element equality as typed arrays see it: NaN equals NaN, -0 differs from 0. */
export function sameElement(a: unknown, b: unknown): boolean {
  return Object.is(a, b);
}

/** `TypedArray#sort`'s default order: numeric, -0 before +0, NaN last. */
export function typedOrder(a: Element, b: Element): number {
  const aNaN = typeof a === "number" && Number.isNaN(a);
  const bNaN = typeof b === "number" && Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  if (a < b) return -1;
  if (a > b) return 1;
  if (Object.is(a, -0) && Object.is(b, 0)) return -1;
  if (Object.is(a, 0) && Object.is(b, -0)) return 1;
  return 0;
}

/** Indices to compare: all for short vectors, else both ends and a spread in between. */
export function sampleIndices(length: number, salt = 0): number[] {
  if (length <= 4096) return Array.from({ length }, (_, i) => i);
  const picked = new Set<number>();
  for (let i = 0; i < 256; i++) {
    picked.add(i);
    picked.add(length - 1 - i);
  }
  let x = (salt * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < 512; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    picked.add(x % length);
  }
  return [...picked].sort((a, b) => a - b);
}

/**
 * The first difference between `vec` and `model` (length, then the elements at
 * `indices`, or all), or `undefined` if they agree.
 */
export function firstDifference(
  vec: LargeVec<TypedArray>,
  model: readonly Element[],
  indices?: readonly number[],
): string | undefined {
  if (vec.length !== model.length) return `length ${vec.length}, expected ${model.length}`;
  const check = indices ?? Array.from({ length: model.length }, (_, i) => i);
  for (const i of check) {
    const actual = vec.get(i);
    if (!sameElement(actual, model[i])) {
      return `element ${i}: ${String(actual)}, expected ${String(model[i])}`;
    }
  }
  return undefined;
}

/** Every element of `vec`, read with get(). */
export function elements(vec: LargeVec<TypedArray>): Element[] {
  const out: Element[] = [];
  for (let i = 0; i < vec.length; i++) out.push(vec.get(i) as Element);
  return out;
}

// ---- A pattern to recognise a vector after a move --------------------------------------

function patternIndices(length: number): number[] {
  const at: number[] = [];
  for (let i = 0; i < length; i += 1000) at.push(i);
  for (let i = Math.max(0, length - 5); i < length; i++) at.push(i);
  return at;
}

/** The pattern's value at `index` for the vector's element kind. */
export function patternValue(vec: LargeVec<TypedArray>, index: number, seed: number): Element {
  const small = (index * 7 + seed) % 101;
  const kind = vec.elementType;
  return kind === BigInt64Array || kind === BigUint64Array ? BigInt(small) * 2n ** 40n : small;
}

export function writeVecPattern(vec: LargeVec<TypedArray>, seed: number): void {
  for (const i of patternIndices(vec.length)) vec.set(i, patternValue(vec, i, seed));
}

export function hasVecPattern(vec: LargeVec<TypedArray>, seed: number): boolean {
  return patternIndices(vec.length).every((i) => vec.get(i) === patternValue(vec, i, seed));
}
