// Moving a `ColumnBuffer` to another thread: `ColumnBuffer#transfer()` seals the column
// (column-seal.ts) and transfers each of its vectors (`LargeVec#transfer`: pooled regions
// without a copy, heap buffers below 2 MiB as a copy), giving one structured-clone-safe
// token; `ColumnBuffer.adopt(token)` takes the vectors over and checks that they make a
// valid column of the token's kind (buffer types and lengths, first and last offsets, the
// null count against the bitmap), so a malformed or forged token is an
// `ERR_LGALLOC_INVALID_TOKEN` rather than a column that reads out of bounds.

import { LgallocError, type TypedArray } from "@lgalloc/core";

import { KINDS, TIME_UNITS, isColumnKind, type ColumnKind, type TimeUnit } from "./column-kinds";
import type { SealedColumn } from "./column-seal";
import type { SealedStorage } from "./column-storage";
import { LargeVec, type LargeVecToken } from "./large-vec";

/**
 * A column in transit between threads: a frozen plain object. Send it with
 * `port.postMessage(token, token.transferList)` and take it with `ColumnBuffer.adopt`.
 */
export interface ColumnBufferToken {
  /** Marks the object as a ColumnBuffer token. */
  readonly kind: "lgalloc.ColumnBufferToken";
  /** The column's kind. */
  readonly columnKind: ColumnKind;
  /** A timestamp column's unit; null for other kinds. */
  readonly unit: TimeUnit | null;
  /** The number of values, nulls included. */
  readonly length: number;
  /** The number of nulls. */
  readonly nullCount: number;
  /** The values' vector, in transit. */
  readonly values: LargeVecToken;
  /** The offsets' vector of utf8/binary kinds, in transit; null for other kinds. */
  readonly offsets: LargeVecToken | null;
  /** The validity bitmap's vector, in transit; null when the column had no nulls. */
  readonly validity: LargeVecToken | null;
  /** The buffers to pass as `postMessage`'s transfer list with the token. */
  readonly transferList: readonly ArrayBuffer[];
}

const TOKEN_KIND = "lgalloc.ColumnBufferToken";

/** What an adopted token holds, checked. */
export interface TakenColumn {
  readonly kind: ColumnKind;
  readonly unit: TimeUnit | null;
  readonly length: number;
  readonly nullCount: number;
  readonly storage: SealedStorage;
  readonly validity: LargeVec<Uint8Array> | null;
}

/** Transfers the vectors of a sealed column into a token (they are disposed here). */
export function makeColumnToken(sealed: SealedColumn): ColumnBufferToken {
  // sealBuffers lists the owners as values, then offsets (if any), then validity (if any).
  const [values, ...rest] = sealed.owners;
  const offsets = sealed.offsets !== null ? rest.shift()! : null;
  const validity = sealed.validity !== null ? rest.shift()! : null;
  const tokens = [values!.transfer(), offsets?.transfer() ?? null, validity?.transfer() ?? null];
  return Object.freeze({
    kind: TOKEN_KIND,
    columnKind: sealed.kind,
    unit: sealed.unit,
    length: sealed.length,
    nullCount: sealed.nullCount,
    values: tokens[0]!,
    offsets: tokens[1]!,
    validity: tokens[2]!,
    transferList: Object.freeze(
      tokens.flatMap((token) => (token === null ? [] : [...token.transferList])),
    ),
  });
}

function invalid(reason: string): LgallocError {
  return new LgallocError("ERR_LGALLOC_INVALID_TOKEN", `The token is malformed: ${reason}`);
}

/**
 * Validates a token and takes its vectors over. On error every vector already adopted is
 * disposed again (the token is spent), and nothing is kept.
 */
export function takeColumnToken(token: unknown): TakenColumn {
  if (typeof token !== "object" || token === null) {
    throw invalid(`expected a ColumnBufferToken object. Received ${typeof token}`);
  }
  const fields = token as Record<string, unknown>;
  if (fields.kind !== TOKEN_KIND) throw invalid(`expected kind "${TOKEN_KIND}"`);
  const kind = fields.columnKind;
  if (!isColumnKind(kind)) throw invalid("columnKind is not a ColumnBuffer kind");
  const unit = fields.unit;
  if (kind === "timestamp" ? !(TIME_UNITS as readonly unknown[]).includes(unit) : unit !== null) {
    throw invalid("unit does not fit the kind");
  }
  const length = fields.length;
  const nullCount = fields.nullCount;
  if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
    throw invalid("length is not a slot count");
  }
  if (
    typeof nullCount !== "number" ||
    !Number.isSafeInteger(nullCount) ||
    nullCount < 0 ||
    nullCount > length
  ) {
    throw invalid("nullCount is not a count of at most length");
  }
  const adopted: LargeVec<TypedArray>[] = [];
  const adopt = (value: unknown, name: string): LargeVec<TypedArray> => {
    try {
      const vec = LargeVec.adopt(value as LargeVecToken);
      adopted.push(vec);
      return vec;
    } catch (error) {
      throw invalid(`its ${name} vector: ${(error as Error).message}`);
    }
  };
  try {
    const info = KINDS[kind];
    const values = adopt(fields.values, "values");
    let offsets: LargeVec<Int32Array> | LargeVec<BigInt64Array> | null = null;
    if (info.layout === "fixed") {
      if (values.elementType !== info.ArrayType || values.length !== length) {
        throw invalid(`its values must be ${length} elements of ${info.ArrayType.name}`);
      }
    } else if (info.layout === "bool") {
      if (values.elementType !== Uint8Array || values.length < Math.ceil(length / 8)) {
        throw invalid("its values must be a Uint8Array bitmap of the column's length");
      }
    } else {
      const vec = adopt(fields.offsets, "offsets");
      const OffsetType = info.large ? BigInt64Array : Int32Array;
      if (
        values.elementType !== Uint8Array ||
        vec.elementType !== OffsetType ||
        vec.length !== length + 1
      ) {
        throw invalid(
          `its offsets must be ${length + 1} elements of ${OffsetType.name} into Uint8Array data`,
        );
      }
      if (Number(vec.get(0)) !== 0 || Number(vec.get(length)) !== values.length) {
        throw invalid("its offsets must start at 0 and end at the data's length");
      }
      offsets = vec as LargeVec<Int32Array> | LargeVec<BigInt64Array>;
    }
    let validity: LargeVec<Uint8Array> | null = null;
    if (fields.validity !== null && fields.validity !== undefined) {
      validity = adopt(fields.validity, "validity") as LargeVec<Uint8Array>;
      if (validity.elementType !== Uint8Array || validity.length < Math.ceil(length / 8)) {
        throw invalid("its validity must be a Uint8Array bitmap of the column's length");
      }
      if (countNulls(validity, length) !== nullCount)
        throw invalid("nullCount does not match its validity");
    } else if (nullCount > 0) {
      throw invalid("it has nulls but no validity");
    }
    return {
      kind,
      unit: unit as TimeUnit | null,
      length,
      nullCount,
      storage: { values: values as SealedStorage["values"], offsets },
      validity,
    };
  } catch (error) {
    for (const vec of adopted) vec.dispose();
    throw error;
  }
}

/** Zero bits among the first `length` bits of a bitmap. */
function countNulls(bitmap: LargeVec<Uint8Array>, length: number): number {
  let valid = 0;
  const whole = Math.floor(length / 8);
  for (let i = 0; i < whole; i++) {
    let byte = bitmap.get(i);
    while (byte !== 0) {
      byte &= byte - 1;
      valid++;
    }
  }
  for (let bit = whole * 8; bit < length; bit++) valid += (bitmap.get(whole) >> (bit % 8)) & 1;
  return length - valid;
}
