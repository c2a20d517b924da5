// What `LargeVec#extend` and `LargeVec.from` append from an array, an array-like object or
// an iterable: the values converted, before the vector changes at all, into typed arrays of
// the vector's element kind (one for an array, blocks of at most 2^20 elements otherwise,
// since an iterable's length is unknown until it ends). Converting first means a `valueOf`
// or an iterator that throws, or touches the vector, can never leave it half-extended.

import { InvalidArgTypeError, type TypedArray } from "@lgalloc/core";

import { conversionError, convertElement, type ElementKind } from "./element-kinds";

/** Largest block of converted elements collected at a time. */
const MAX_BLOCK = 2 ** 20;
const FIRST_BLOCK = 1024;

/** A typed array constructor called with an array to convert. */
type ArrayLikeConstructor = new (source: ArrayLike<unknown>) => TypedArray;

/** A typed array of any kind, written with an element of unknown type. */
interface Block {
  [index: number]: unknown;
  readonly length: number;
  subarray(start: number, end: number): Block;
}

function newBlock(kind: ElementKind, size: number): Block {
  return new kind.Ctor(new ArrayBuffer(size * kind.bytesPerElement)) as unknown as Block;
}

/** Stores `value` into `block[at]` as the typed array converts it, naming `source[index]`. */
function store(kind: ElementKind, block: Block, at: number, value: unknown, index: number): void {
  try {
    block[at] = value;
  } catch (error) {
    throw conversionError(kind, `source[${index}]`, value, error);
  }
}

/**
 * The elements of `source` (an array, an iterable, or an array-like object with a safe
 * integer `length`) converted to `kind`, in order.
 *
 * @throws `TypeError` `ERR_INVALID_ARG_TYPE` for another `source` or for an element the
 *   typed array refuses (naming `source[i]`); whatever the iterator or a `valueOf` throws.
 */
export function convertSource(kind: ElementKind, source: object): TypedArray[] {
  if (Array.isArray(source)) {
    try {
      // The typed array constructor converts a whole array natively.
      return [new (kind.Ctor as unknown as ArrayLikeConstructor)(source)];
    } catch (error) {
      // Name the element that failed.
      for (let i = 0; i < source.length; i++) convertElement(kind, source[i], `source[${i}]`);
      throw conversionError(kind, "source", source, error);
    }
  }
  const blocks: TypedArray[] = [];
  if (typeof (source as Partial<Iterable<unknown>>)[Symbol.iterator] === "function") {
    let block = newBlock(kind, FIRST_BLOCK);
    let filled = 0;
    let index = 0;
    for (const value of source as Iterable<unknown>) {
      if (filled === block.length) {
        blocks.push(block as unknown as TypedArray);
        block = newBlock(kind, Math.min(block.length * 2, MAX_BLOCK));
        filled = 0;
      }
      store(kind, block, filled++, value, index++);
    }
    blocks.push(block.subarray(0, filled) as unknown as TypedArray);
    return blocks;
  }
  const length = (source as { length?: unknown }).length;
  if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
    throw new InvalidArgTypeError(
      "source",
      "a typed array, an array-like object or an iterable",
      source,
    );
  }
  const items = source as ArrayLike<unknown>;
  for (let start = 0; start < length; start += MAX_BLOCK) {
    const block = newBlock(kind, Math.min(MAX_BLOCK, length - start));
    for (let i = 0; i < block.length; i++) store(kind, block, i, items[start + i], start + i);
    blocks.push(block as unknown as TypedArray);
  }
  return blocks;
}
