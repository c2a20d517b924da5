// `toFlechetteTable`: a pooled table (or batch) as a @uwdata/flechette Table viewing the
// same pooled buffers without a copy (flechette takes foreign typed arrays in its Batch
// constructors). flechette is an optional peer of its own, loaded from here only (this
// entry point, `@lgalloc/arrow/flechette`), with CommonJS `require`, or injected with
// `bindFlechette(module)`. Disposing the pooled table empties the batches made here (their
// buffers are detached by then; their lengths drop to 0).

/**
 * Pooled tables as `@uwdata/flechette` tables without a copy: `toFlechetteTable`, and
 * `bindFlechette` to use an application's own copy of flechette.
 *
 * @packageDocumentation
 * @module @lgalloc/arrow/flechette
 */

import { InvalidArgTypeError, InvalidArgValueError } from "@lgalloc/core";

import type { ArrayBuffers, ColumnChunk } from "./column-chunk";
import { ArrowUnavailableError } from "./errors";
import { batchInternals, PooledRecordBatch } from "./record-batch";
import type { PooledField } from "./schema";
import { PooledTable } from "./table";

/** The parts of the flechette module used here. */
export interface FlechetteModule {
  /** flechette's `batchType`: the Batch class that reads columns of `type`. */
  batchType(type: object, options?: object): new (props: object) => FlechetteBatch;
  /** flechette's `Column` class: a column of batches. */
  Column: {
    /** Makes a column of `data`. */
    new (
      /** The column's batches, in row order. */
      data: FlechetteBatch[],
      /** The column's data type. */
      type?: object,
    ): object;
  };
  /** flechette's `Table` class: a schema and one column per field. */
  Table: {
    /** Makes a table of `schema` and `children`. */
    new (
      /** The table's schema. */
      schema: object,
      /** One column per field of the schema. */
      children: object[],
      /** Whether the table's rows are proxies. */
      useProxy?: boolean,
    ): object;
  };
  /** flechette's `field`: a named field of a type. */
  field(name: string, type: object, nullable?: boolean): object;
  /** flechette's `int8`: the Int8 data type. */
  int8(): object;
  /** flechette's `int16`: the Int16 data type. */
  int16(): object;
  /** flechette's `int32`: the Int32 data type. */
  int32(): object;
  /** flechette's `int64`: the Int64 data type. */
  int64(): object;
  /** flechette's `uint8`: the Uint8 data type. */
  uint8(): object;
  /** flechette's `uint16`: the Uint16 data type. */
  uint16(): object;
  /** flechette's `uint32`: the Uint32 data type. */
  uint32(): object;
  /** flechette's `uint64`: the Uint64 data type. */
  uint64(): object;
  /** flechette's `float32`: the Float32 data type. */
  float32(): object;
  /** flechette's `float64`: the Float64 data type. */
  float64(): object;
  /** flechette's `bool`: the Bool data type. */
  bool(): object;
  /** flechette's `utf8`: the Utf8 data type. */
  utf8(): object;
  /** flechette's `largeUtf8`: the LargeUtf8 data type. */
  largeUtf8(): object;
  /** flechette's `binary`: the Binary data type. */
  binary(): object;
  /** flechette's `largeBinary`: the LargeBinary data type. */
  largeBinary(): object;
  /** flechette's `dateDay`: the DateDay data type. */
  dateDay(): object;
  /** flechette's `dateMillisecond`: the DateMillisecond data type. */
  dateMillisecond(): object;
  /** flechette's `timestamp`: the Timestamp data type of a unit (0-3: s-ns) and a zone. */
  timestamp(unit: number, timezone: string | null): object;
  /** flechette's `dictionary`: a Dictionary data type of values and indices. */
  dictionary(type: object, indexType: object, ordered?: boolean, id?: number): object;
}

interface FlechetteBatch {
  length: number;
  nullCount: number;
  setDictionary?(column: object): FlechetteBatch;
}

/** flechette's extraction options (useBigInt, useDate, ...), passed through to its batches. */
export type FlechetteOptions = Record<string, unknown>;

const UNIT_IDS = { s: 0, ms: 1, us: 2, ns: 3 } as const;

let bound: FlechetteModule | undefined;

/** Uses `module` as flechette from now on (e.g. an ESM application's own copy). */
export function bindFlechette(module: FlechetteModule): void {
  if (typeof module !== "object" || module === null || typeof module.batchType !== "function") {
    throw new InvalidArgTypeError("module", "the @uwdata/flechette module object", module);
  }
  if (bound !== undefined && bound !== module) {
    throw new InvalidArgValueError("module", "must be the flechette already in use", module);
  }
  bound = module;
}

function flechetteModule(): FlechetteModule {
  if (bound !== undefined) return bound;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bound = require("@uwdata/flechette") as FlechetteModule;
  } catch (error) {
    throw new ArrowUnavailableError(
      "@uwdata/flechette ~2.6 is needed for toFlechetteTable: install it, or pass your copy to bindFlechette()",
      error,
    );
  }
  return bound;
}

/** Batches made per pooled batch, emptied when it is disposed. */
const MADE = new WeakMap<PooledRecordBatch, WeakRef<FlechetteBatch>[]>();

/** A flechette Table viewing the pooled table's (or batch's) buffers, no copy. */
export function toFlechetteTable(
  source: PooledTable | PooledRecordBatch,
  options: FlechetteOptions = {},
): object {
  let batches: readonly PooledRecordBatch[];
  if (source instanceof PooledTable) batches = source.batches;
  else if (source instanceof PooledRecordBatch) batches = [source];
  else throw new InvalidArgTypeError("source", "a PooledTable or a PooledRecordBatch", source);
  const fl = flechetteModule();
  const schema = source.schema;
  const types = schema.fields.map((field) => flechetteType(fl, field));
  const columns: FlechetteBatch[][] = schema.fields.map(() => []);
  const dictionaries = new Map<ArrayBuffers, FlechetteBatch>();
  for (const batch of batches) {
    const { columns: chunks } = batchInternals(batch, "convert to flechette");
    let made = MADE.get(batch);
    if (made === undefined) {
      made = [];
      MADE.set(batch, made);
      watchDispose(batch, made);
    }
    chunks.forEach((chunk, i) => {
      const made0 = flechetteBatch(fl, types[i]!, chunk, options, dictionaries);
      made!.push(new WeakRef(made0));
      columns[i]!.push(made0);
    });
  }
  const fields = schema.fields.map((field, i) => fl.field(field.name, types[i]!, field.nullable));
  const made = columns.map((data, i) => new fl.Column(data, types[i]) as FlechetteBatch);
  // Columns keep the length they computed: empty them too when any of their batches goes.
  const refs = made.map((column) => new WeakRef(column));
  for (const batch of batches) {
    batch.registry.onEmpty(() => {
      for (const ref of refs) {
        const column = ref.deref();
        if (column === undefined) continue;
        column.length = 0;
        column.nullCount = 0;
      }
    });
  }
  // Version 4 is MetadataVersion.V5 in flechette's numbering (as its own decoder sets it).
  return new fl.Table({ version: 4, endianness: 0, fields, metadata: null }, made);
}

function flechetteBatch(
  fl: FlechetteModule,
  type: object,
  chunk: ColumnChunk,
  options: FlechetteOptions,
  dictionaries: Map<ArrayBuffers, FlechetteBatch>,
): FlechetteBatch {
  const BatchType = fl.batchType(type, options);
  const props = (buffers: ArrayBuffers, batchType: object) => ({
    length: buffers.length,
    nullCount: buffers.nullCount,
    type: batchType,
    validity: buffers.validity ?? undefined,
    values: buffers.values,
    offsets: buffers.offsets ?? undefined,
  });
  const batch = new BatchType(props(chunk, type));
  if (chunk.dictionary !== null) {
    const valueType = (type as { dictionary: object }).dictionary;
    const ValueBatch = fl.batchType(valueType, options);
    const parts = chunk.dictionary.map((part) => {
      let made = dictionaries.get(part);
      if (made === undefined) {
        made = new ValueBatch(props(part, valueType));
        dictionaries.set(part, made);
      }
      return made;
    });
    batch.setDictionary!(new fl.Column(parts, valueType));
  }
  return batch;
}

function flechetteType(fl: FlechetteModule, field: PooledField): object {
  switch (field.type) {
    case "timestamp":
      return fl.timestamp(UNIT_IDS[field.unit ?? "ms"], field.timezone);
    case "dictionary":
      return fl.dictionary(fl.utf8(), fl.int32());
    default:
      return fl[field.type]();
  }
}

/** Empties the flechette batches of `batch` when it is disposed (checked lazily). */
function watchDispose(batch: PooledRecordBatch, made: WeakRef<FlechetteBatch>[]): void {
  const registry = batch.registry;
  registry.onEmpty(() => {
    for (const ref of made) {
      const b = ref.deref();
      if (b === undefined) continue;
      b.length = 0;
      b.nullCount = 0;
    }
    made.length = 0;
  });
}
