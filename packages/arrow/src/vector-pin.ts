// `toArrowVectorPinned(column)`: a `ColumnBuffer` as an apache-arrow Vector without a copy,
// the column staying alive and readable. The column is PINNED (`ColumnBuffer#pin`) while
// the Vector is in use: every change to it (append, truncate, seal, transfer) throws
// `ERR_LGALLOC_BUSY`, so no append can grow a buffer under the Vector and leave it
// viewing detached or stale memory (the hazard issue 10 names: "after dispose() or a
// growing push the Arrow vector keeps its length and silently reads undefined"). The pin
// goes with `releaseArrowVector(vector)` (the Vector then reads as empty, and the column
// can change again) or when the Vector is garbage collected; `dispose()` of the column
// meanwhile makes the column unusable at once and frees its memory once the pin goes.
//
// A `LargeVec` cannot be pinned: it has no frozen state (its push would grow under the
// Vector), so only `toArrowVectorTakingOver` converts one; this throws for it, saying so.

import { InvalidArgTypeError } from "@lgalloc/core";
import { ColumnBuffer, type ColumnPin } from "@lgalloc/collections";
import type * as Arrow from "apache-arrow";
import type { TypedArray } from "@lgalloc/core";

import { arrowModule } from "./arrow-module";
import { ArrowObjectRegistry, arrayData } from "./arrow-views";
import { columnType } from "./vector-handover";

interface PinnedVector {
  readonly pin: ColumnPin;
  readonly registry: ArrowObjectRegistry;
  /** Held so that the column (and its memory) lives at least as long as the Vector. */
  readonly column: ColumnBuffer;
}

const PINNED = new WeakMap<object, PinnedVector>();

/**
 * Lets go of the pin of a Vector the collector found unreachable; its Data (which a caller
 * may still hold without the Vector) are emptied first, as by `releaseArrowVector`.
 */
const UNPIN_ON_COLLECT = new FinalizationRegistry<{
  pin: ColumnPin;
  registry: ArrowObjectRegistry;
}>(({ pin, registry }) => {
  registry.empty("pinned column");
  pin.release();
});

/**
 * An apache-arrow Vector of the column's values, nulls and offsets, viewing its memory
 * without a copy; the column stays usable for reading and is pinned (frozen) until the
 * Vector is released (`releaseArrowVector`) or garbage collected.
 * @throws `InvalidArgTypeError` `ERR_INVALID_ARG_TYPE` for anything but a `ColumnBuffer`
 *   (a `LargeVec` included: see `toArrowVectorTakingOver`); `LgallocError`
 *   `ERR_LGALLOC_DISPOSED` for a disposed column; `ArrowUnavailableError` without apache-arrow.
 */
export function toArrowVectorPinned(column: ColumnBuffer): Arrow.Vector {
  if (!ColumnBuffer.isColumnBuffer(column)) {
    throw new InvalidArgTypeError(
      "column",
      "a ColumnBuffer (a LargeVec cannot be pinned: toArrowVectorTakingOver hands it over)",
      column,
    );
  }
  const arrow = arrowModule();
  const pin = column.pin();
  try {
    const registry = new ArrowObjectRegistry();
    const data = arrayData(
      arrow,
      columnType(arrow, column.kind, column.unit),
      {
        length: column.length,
        nullCount: column.nullCount,
        values: column.values() as TypedArray,
        offsets: column.offsets(),
        validity: column.nullCount > 0 ? column.validity() : null,
      },
      registry,
    );
    const vector = registry.vector(arrow.makeVector(data) as Arrow.Vector);
    PINNED.set(vector, { pin, registry, column });
    UNPIN_ON_COLLECT.register(vector, { pin, registry }, pin);
    return vector;
  } catch (error) {
    pin.release();
    throw error;
  }
}

/**
 * Releases the pin of a Vector made by `toArrowVectorPinned` and empties the Vector;
 * false for any other object (releaseArrowVector, vector-handover.ts, then decides).
 */
export function releasePinnedVector(vector: object): boolean {
  const pinned = PINNED.get(vector);
  if (pinned === undefined) return false;
  PINNED.delete(vector);
  UNPIN_ON_COLLECT.unregister(pinned.pin);
  // Emptied first: once the pin goes, the column may grow and detach these views.
  pinned.registry.empty("pinned column");
  pinned.pin.release();
  return true;
}
