// apache-arrow objects over a batch's buffers, without copying: `makeData` keeps the
// typed arrays it is given, so every `Data` views the pooled memory directly. The objects
// made for a batch are remembered (weakly) so that disposing the batch can empty them:
// their buffers are detached by then (length 0, never freed memory), and here their
// lengths drop to 0 as well and `set` throws, so an Arrow table of a disposed batch reads
// as empty instead of keeping its length and returning `undefined`s
// (issue 10: "after dispose() ... the Arrow vector keeps its length").

import { LgallocError } from "@lgalloc/core";
import type * as Arrow from "apache-arrow";

import type { ArrowModule } from "./arrow-module";
import type { ArrayBuffers, ColumnChunk } from "./column-chunk";
import type { PooledField, PooledSchema } from "./schema";

const TIME_UNIT_IDS = { s: 0, ms: 1, us: 2, ns: 3 } as const;

/** The apache-arrow DataType of a field. */
export function arrowType(arrow: ArrowModule, field: PooledField): Arrow.DataType {
  switch (field.type) {
    case "int8":
      return new arrow.Int8();
    case "int16":
      return new arrow.Int16();
    case "int32":
      return new arrow.Int32();
    case "int64":
      return new arrow.Int64();
    case "uint8":
      return new arrow.Uint8();
    case "uint16":
      return new arrow.Uint16();
    case "uint32":
      return new arrow.Uint32();
    case "uint64":
      return new arrow.Uint64();
    case "float32":
      return new arrow.Float32();
    case "float64":
      return new arrow.Float64();
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
    case "dateDay":
      return new arrow.DateDay();
    case "dateMillisecond":
      return new arrow.DateMillisecond();
    case "timestamp":
      return new arrow.Timestamp(TIME_UNIT_IDS[field.unit ?? "ms"], field.timezone);
    case "dictionary":
      return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  }
}

const ARROW_SCHEMAS = new WeakMap<PooledSchema, Arrow.Schema>();

/**
 * The apache-arrow Schema of a pooled schema, made once per schema: every batch of a table
 * must share its Dictionary types, whose ids tell the IPC writer which dictionary is which.
 */
export function arrowSchema(arrow: ArrowModule, schema: PooledSchema): Arrow.Schema {
  let result = ARROW_SCHEMAS.get(schema);
  if (result === undefined) {
    result = new arrow.Schema(
      schema.fields.map(
        (field) => new arrow.Field(field.name, arrowType(arrow, field), field.nullable),
      ),
    );
    ARROW_SCHEMAS.set(schema, result);
  }
  return result;
}

/** Remembers the Arrow objects made over some memory, to empty them when it is released. */
export class ArrowObjectRegistry {
  readonly #data: WeakRef<Arrow.Data>[] = [];
  readonly #vectors: WeakRef<Arrow.Vector>[] = [];
  readonly #tables: WeakRef<Arrow.Table>[] = [];
  readonly #batches: WeakRef<Arrow.RecordBatch>[] = [];
  readonly #onEmpty: (() => void)[] = [];

  /** Runs `callback` when the registry is emptied (other libraries' objects). */
  onEmpty(callback: () => void): void {
    this.#onEmpty.push(callback);
  }

  data<T extends Arrow.Data>(data: T): T {
    remember(this.#data, data);
    return data;
  }

  vector<T extends Arrow.Vector>(vector: T): T {
    remember(this.#vectors, vector);
    return vector;
  }

  table<T extends Arrow.Table>(table: T): T {
    remember(this.#tables, table);
    return table;
  }

  batch<T extends Arrow.RecordBatch>(batch: T): T {
    remember(this.#batches, batch);
    return batch;
  }

  /** Empties every object still alive (their buffers are detached already). */
  empty(what: string): void {
    const refuse = (): never => {
      throw new LgallocError(
        "ERR_LGALLOC_DISPOSED",
        `Cannot write to this Arrow object: the ${what} it views was disposed`,
      );
    };
    for (const ref of this.#data) {
      const data = ref.deref() as unknown as Record<string, unknown> | undefined;
      if (data === undefined) continue;
      data.length = 0;
      data._nullCount = 0;
    }
    for (const ref of this.#vectors) {
      const vector = ref.deref() as unknown as Record<string, unknown> | undefined;
      if (vector === undefined) continue;
      vector.length = 0;
      vector._offsets = new Uint32Array([0]);
      Object.defineProperty(vector, "set", { value: refuse, configurable: true });
    }
    for (const ref of this.#batches) {
      const batch = ref.deref();
      if (batch !== undefined)
        Object.defineProperty(batch, "set", { value: refuse, configurable: true });
    }
    for (const ref of this.#tables) {
      const table = ref.deref() as unknown as Record<string, unknown> | undefined;
      if (table === undefined) continue;
      table.batches = [];
      table._offsets = new Uint32Array([0]);
      table._nullCount = 0;
      Object.defineProperty(table, "set", { value: refuse, configurable: true });
    }
    for (const callback of this.#onEmpty.splice(0)) callback();
    this.#data.length = 0;
    this.#vectors.length = 0;
    this.#tables.length = 0;
    this.#batches.length = 0;
  }
}

/**
 * Adds a weak reference to `list`, dropping the dead ones now and then: a table converted
 * again and again must not accumulate a reference per conversion.
 */
function remember<T extends object>(list: WeakRef<T>[], value: T): void {
  if (list.length >= 256 && (list.length & (list.length - 1)) === 0) {
    let kept = 0;
    for (const ref of list) if (ref.deref() !== undefined) list[kept++] = ref;
    list.length = kept;
  }
  list.push(new WeakRef(value));
}

/** The Data of one array (no dictionary), over its buffers. */
export function arrayData(
  arrow: ArrowModule,
  type: Arrow.DataType,
  buffers: ArrayBuffers,
  registry: ArrowObjectRegistry,
  dictionary?: Arrow.Vector,
): Arrow.Data {
  const props: Record<string, unknown> = {
    type,
    length: buffers.length,
    nullCount: buffers.nullCount,
    data: buffers.values,
  };
  if (buffers.validity !== null) props.nullBitmap = buffers.validity;
  if (buffers.offsets !== null) props.valueOffsets = buffers.offsets;
  if (dictionary !== undefined) props.dictionary = dictionary;
  return registry.data(arrow.makeData(props as never) as Arrow.Data);
}

/**
 * The Data of each dictionary chunk, made once: batches share their dictionary's chunks,
 * and apache-arrow's IPC writer recognises a delta only by the identity of the Data (a new
 * Data object for the same chunk would make it write the whole dictionary again). These
 * Data are not emptied when one batch is disposed, since later batches still use them;
 * their buffers are detached when the last batch lets go.
 */
const DICTIONARY_DATA = new WeakMap<ArrayBuffers, Arrow.Data>();

/** The Data of one column chunk (with its dictionary vector, if any). */
export function chunkData(
  arrow: ArrowModule,
  chunk: ColumnChunk,
  type: Arrow.DataType,
  registry: ArrowObjectRegistry,
): Arrow.Data {
  if (chunk.dictionary === null) return arrayData(arrow, type, chunk, registry);
  const valueType = (type as Arrow.Dictionary).dictionary;
  const parts = chunk.dictionary.map((part) => {
    let data = DICTIONARY_DATA.get(part);
    if (data === undefined) {
      data = arrayData(arrow, valueType, part, new ArrowObjectRegistry());
      DICTIONARY_DATA.set(part, data);
    }
    return data;
  });
  const dictionary = registry.vector(new arrow.Vector(parts));
  return arrayData(arrow, type, chunk, registry, dictionary);
}
