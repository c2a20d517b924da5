// `toArrowVectorTakingOver(collection)`: one `LargeVec` or `ColumnBuffer` as an apache-arrow
// Vector, without copying its elements. The collection HANDS ITS STORAGE OVER: it is
// disposed (every method then throws ERR_LGALLOC_DISPOSED), and the memory now belongs to
// the Vector: released when the Vector is garbage collected, or at once with
// `releaseArrowVector(vector)` (after which the Vector reads as empty). Taking over rather
// than pinning means the collection cannot grow under the Vector and leave it viewing
// detached memory (issue 10: "after dispose() or a growing push the Arrow vector keeps its
// length and silently reads undefined").

import { InvalidArgTypeError, LgallocError, type TypedArray } from "@lgalloc/core";
import { ColumnBuffer, LargeVec, type ColumnKind } from "@lgalloc/collections";
import type * as Arrow from "apache-arrow";

import { arrowModule, type ArrowModule } from "./arrow-module";
import { ArrowObjectRegistry, arrayData } from "./arrow-views";
import { SharedOwner } from "./column-chunk";
import { releasePinnedVector } from "./vector-pin";

const TAKEN = new WeakMap<object, { owner: SharedOwner; registry: ArrowObjectRegistry }>();
const RELEASED = new WeakSet<object>();

const VECTOR_TYPES: Record<string, (arrow: ArrowModule) => Arrow.DataType> = {
  Int8Array: (a) => new a.Int8(),
  Int16Array: (a) => new a.Int16(),
  Int32Array: (a) => new a.Int32(),
  BigInt64Array: (a) => new a.Int64(),
  Uint8Array: (a) => new a.Uint8(),
  Uint8ClampedArray: (a) => new a.Uint8(),
  Uint16Array: (a) => new a.Uint16(),
  Uint32Array: (a) => new a.Uint32(),
  BigUint64Array: (a) => new a.Uint64(),
  Float32Array: (a) => new a.Float32(),
  Float64Array: (a) => new a.Float64(),
};

const UNIT_IDS = { s: 0, ms: 1, us: 2, ns: 3 } as const;

/** The typed array of each plain numeric kind. */
const FIXED_ARRAYS: Record<string, string> = {
  int8: "Int8Array",
  int16: "Int16Array",
  int32: "Int32Array",
  int64: "BigInt64Array",
  uint8: "Uint8Array",
  uint16: "Uint16Array",
  uint32: "Uint32Array",
  uint64: "BigUint64Array",
  float32: "Float32Array",
  float64: "Float64Array",
};

/** The apache-arrow type of a column of `kind`. */
export function columnType(
  arrow: ArrowModule,
  kind: ColumnKind,
  unit: keyof typeof UNIT_IDS | null,
): Arrow.DataType {
  switch (kind) {
    case "date32":
      return new arrow.DateDay();
    case "date64":
      return new arrow.DateMillisecond();
    case "timestamp":
      return new arrow.Timestamp(UNIT_IDS[unit ?? "ms"]);
    case "bool":
      return new arrow.Bool();
    case "utf8":
      return new arrow.Utf8();
    case "largeUtf8":
      return new arrow.LargeUtf8();
    case "binary":
      return new arrow.Binary();
    case "largeBinary":
      return new arrow.LargeBinary();
    default:
      return VECTOR_TYPES[FIXED_ARRAYS[kind]!]!(arrow);
  }
}

/**
 * An apache-arrow Vector of the collection's elements (a LargeVec: its `length` elements;
 * a ColumnBuffer: its values, nulls and offsets), viewing its memory without a copy. The
 * collection is disposed: its storage now belongs to the Vector.
 */
export function toArrowVectorTakingOver(
  collection: LargeVec<TypedArray> | ColumnBuffer,
): Arrow.Vector {
  const arrow = arrowModule();
  const registry = new ArrowObjectRegistry();
  let owner: SharedOwner;
  let data: Arrow.Data;
  if (LargeVec.isLargeVec(collection)) {
    const type = VECTOR_TYPES[collection.elementType.name];
    if (type === undefined) {
      throw new InvalidArgTypeError(
        "collection",
        "a LargeVec of a standard element type",
        collection,
      );
    }
    // Transfer to ourselves: the caller's vector is disposed, the storage moves (a region
    // without a copy; heap storage below 2 MiB is copied at its exact length).
    const vec = LargeVec.adopt(collection.transfer());
    vec.shrinkToFit();
    owner = new SharedOwner([vec as LargeVec<TypedArray>]).retain();
    data = arrayData(
      arrow,
      type(arrow),
      { length: vec.length, nullCount: 0, values: vec.view(), offsets: null, validity: null },
      registry,
    );
  } else if (ColumnBuffer.isColumnBuffer(collection)) {
    const kind = collection.kind;
    const sealed = collection.seal();
    collection.dispose();
    owner = new SharedOwner(sealed.owners).retain();
    data = arrayData(
      arrow,
      columnType(arrow, kind, sealed.unit),
      {
        length: sealed.length,
        nullCount: sealed.nullCount,
        values: sealed.values as TypedArray,
        offsets: sealed.offsets,
        validity: sealed.nullCount > 0 ? sealed.validity : null,
      },
      registry,
    );
  } else {
    throw new InvalidArgTypeError("collection", "a LargeVec or a ColumnBuffer", collection);
  }
  const vector = registry.vector(arrow.makeVector(data) as Arrow.Vector);
  TAKEN.set(vector, { owner, registry });
  return vector;
}

/**
 * Releases the memory of a Vector made by `toArrowVectorTakingOver` now rather than at
 * garbage collection, or the pin of one made by `toArrowVectorPinned` (vector-pin.ts); the
 * Vector reads as empty afterwards. A second call does nothing.
 */
export function releaseArrowVector(vector: Arrow.Vector): void {
  if (typeof vector !== "object" || vector === null) {
    throw new InvalidArgTypeError(
      "vector",
      "a Vector made by toArrowVectorTakingOver or toArrowVectorPinned",
      vector,
    );
  }
  const taken = TAKEN.get(vector);
  if (taken === undefined) {
    if (RELEASED.has(vector)) return;
    if (releasePinnedVector(vector)) {
      RELEASED.add(vector);
      return;
    }
    throw new LgallocError(
      "ERR_LGALLOC_INVALID_ARGUMENT",
      "The vector was not made by toArrowVectorTakingOver or toArrowVectorPinned (or was released already)",
    );
  }
  TAKEN.delete(vector);
  RELEASED.add(vector);
  taken.owner.release();
  taken.registry.empty("vector");
}
