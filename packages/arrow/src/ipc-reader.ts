// Reading Arrow IPC into pooled memory. `readIPCFile` / `readIPCFileSync` read a whole file
// into one pooled region, in reads of at most 1 GiB (a single fs read over 2^31 - 1 bytes
// fails on Node 20, and readFileSync refuses files over 2 GiB), so files past 4 GiB and
// batches past 2 GiB work; `readIPCStream` copies each message's body from a Node stream
// straight into a region of its own (never `Readable.read(size)`, which caps at 1 GiB).
//
// Decoding is apache-arrow's: given message-aligned chunks, its reader views them without
// copying, so every buffer of the result is a view of our region. We find the message
// boundaries ourselves (prefix, metadata length, body length), checking each against the
// bytes actually there, so a malformed or truncated input is an `InvalidIpcError` naming
// the byte offset rather than a crash or a read past the end.

import * as fs from "node:fs";

import { InvalidArgTypeError, type TypedArray } from "@lgalloc/core";
import { LargeVec } from "@lgalloc/collections";
import type * as Arrow from "apache-arrow";

import { arrowModule, type ArrowModule } from "./arrow-module";
import { SharedOwner, type ArrayBuffers, type ColumnChunk } from "./column-chunk";
import { InvalidIpcError } from "./errors";
import { makeBatch, type PooledRecordBatch } from "./record-batch";
import { PooledSchema } from "./schema";
import { makeTable, type PooledTable } from "./table";
import { projectFile, type ReadRequest } from "./ipc-projection";

/** The largest single read. */
export const MAX_READ_BYTES = 2 ** 30;

const MAGIC = "ARROW1";
/** "ARROW1" and 2 bytes of padding. */
const FILE_HEAD_BYTES = 8;
/** Footer length (int32) and "ARROW1". */
const FILE_TAIL_BYTES = 10;
const CONTINUATION = -1;
// MessageHeader values of the Arrow format.
const HEADER_SCHEMA = 1;
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;

/** Options of `readIPCFile`, `readIPCFileSync` and `readIPCStream`. */
export interface ReadIPCOptions {
  /**
   * Only these columns, in this order (the others are read but not exposed).
   * @defaultValue every column, in schema order
   */
  columns?: readonly string[];
}

/**
 * A table of the IPC file at `path`, its buffers viewing one pooled region. With
 * `columns`, only those columns' buffers (and the dictionaries they use) are read.
 * @throws (rejects with) `InvalidIpcError` `ERR_LGALLOC_INVALID_IPC` for a malformed or
 *   truncated file, `InvalidArgTypeError` `ERR_INVALID_ARG_TYPE` / `InvalidArgValueError`
 *   `ERR_INVALID_ARG_VALUE` for a bad `path` or `columns`, `ArrowUnavailableError`
 *   `ERR_LGALLOC_ARROW_UNAVAILABLE` without apache-arrow, and the file system's errors.
 */
export async function readIPCFile(
  path: string,
  options: ReadIPCOptions = {},
): Promise<PooledTable> {
  checkPath(path);
  const columns = checkColumns(options);
  const arrow = arrowModule();
  const handle = await fs.promises.open(path, "r");
  try {
    const { size } = await handle.stat();
    const plan = readFilePlan(arrow, size, columns);
    let step = plan.next();
    while (!step.done) {
      const { into, position } = step.value;
      try {
        let filled = 0;
        while (filled < into.length) {
          const { bytesRead } = await handle.read(
            into,
            filled,
            into.length - filled,
            position + filled,
          );
          if (bytesRead === 0) {
            throw new InvalidIpcError(position + filled, "the file ended while being read");
          }
          filled += bytesRead;
        }
      } catch (error) {
        step = plan.throw(error);
        continue;
      }
      step = plan.next();
    }
    return step.value;
  } finally {
    await handle.close();
  }
}

/**
 * Like `readIPCFile`, synchronously.
 * @throws the errors `readIPCFile` rejects with.
 */
export function readIPCFileSync(path: string, options: ReadIPCOptions = {}): PooledTable {
  checkPath(path);
  const columns = checkColumns(options);
  const arrow = arrowModule();
  const fd = fs.openSync(path, "r");
  try {
    const plan = readFilePlan(arrow, fs.fstatSync(fd).size, columns);
    let step = plan.next();
    while (!step.done) {
      const { into, position } = step.value;
      try {
        let filled = 0;
        while (filled < into.length) {
          const bytesRead = fs.readSync(fd, into, filled, into.length - filled, position + filled);
          if (bytesRead === 0) {
            throw new InvalidIpcError(position + filled, "the file ended while being read");
          }
          filled += bytesRead;
        }
      } catch (error) {
        step = plan.throw(error);
        continue;
      }
      step = plan.next();
    }
    return step.value;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The reads of a file of `size` bytes and the table they make, as a generator of reads
 * (run by the sync or the async driver above): the whole file into one region, or with
 * `columns` only what they need (ipc-projection.ts).
 */
function* readFilePlan(
  arrow: ArrowModule,
  size: number,
  columns: readonly string[] | undefined,
): Generator<ReadRequest, PooledTable, void> {
  if (size < FILE_HEAD_BYTES + FILE_TAIL_BYTES) {
    throw new InvalidIpcError(0, `a file of ${size} bytes is too short for the Arrow file format`);
  }
  if (columns !== undefined) {
    const head = new Uint8Array(FILE_HEAD_BYTES);
    yield { into: head, position: 0 };
    const tail = new Uint8Array(FILE_TAIL_BYTES);
    yield { into: tail, position: size - FILE_TAIL_BYTES };
    const footerStart = checkFileEnds(size, head, tail);
    const footer = function* (): Generator<ReadRequest, Arrow.Schema, void> {
      const bytes = new Uint8Array(size - 6 - footerStart);
      yield { into: bytes, position: footerStart };
      return schemaFromFooter(arrow, bytes, footerStart);
    };
    const projected = yield* projectFile(arrow, footerStart, columns, footer);
    return tableFromChunks(arrow, projected.vec, projected.chunks, undefined);
  }
  const vec = LargeVec.allocUnsafe(Uint8Array, size);
  try {
    for (let position = 0; position < size; position += MAX_READ_BYTES) {
      const length = Math.min(MAX_READ_BYTES, size - position);
      yield { into: vec.view(position, position + length), position };
    }
  } catch (error) {
    vec.dispose();
    throw error;
  }
  return decodeFile(arrow, vec);
}

/**
 * The record batches of an Arrow IPC stream (a Node Readable or any async iterable of
 * byte chunks), each in pooled memory of its own (dictionaries shared by the batches that
 * use them). The caller owns each batch yielded.
 * @throws (rejects with) `InvalidIpcError` `ERR_LGALLOC_INVALID_IPC` for a malformed or
 *   truncated stream, `InvalidArgTypeError` `ERR_INVALID_ARG_TYPE` for an input that is
 *   not an async iterable, and `ArrowUnavailableError` `ERR_LGALLOC_ARROW_UNAVAILABLE`.
 */
export async function* readIPCStream(
  readable: AsyncIterable<Uint8Array>,
  options: ReadIPCOptions = {},
): AsyncGenerator<PooledRecordBatch, void, undefined> {
  if (
    typeof (readable as Partial<AsyncIterable<Uint8Array>>)?.[Symbol.asyncIterator] !== "function"
  ) {
    throw new InvalidArgTypeError(
      "readable",
      "a Readable stream or an async iterable of bytes",
      readable,
    );
  }
  const columns = checkColumns(options);
  const arrow = arrowModule();
  const input = new ByteInput(readable[Symbol.asyncIterator]());
  let schemaMessage: Uint8Array | null = null;
  let schema: PooledSchema | null = null;
  const dictionaries: { bytes: Uint8Array; owner: SharedOwner }[] = [];
  // The schema message is decoded again with each batch (its views are not kept).
  let schemaOwner: SharedOwner | null = null;
  try {
    for (;;) {
      const at = input.position;
      const prefix = new Uint8Array(8);
      if (!(await input.readInto(prefix.subarray(0, 4), true))) return;
      const view = new DataView(prefix.buffer);
      let metadataLength = view.getInt32(0, true);
      let prefixLength = 4;
      if (metadataLength === CONTINUATION) {
        if (!(await input.readInto(prefix.subarray(4, 8), true))) return;
        metadataLength = view.getInt32(4, true);
        prefixLength = 8;
      }
      if (metadataLength === 0) return;
      if (metadataLength < 0) {
        throw new InvalidIpcError(at, `a negative metadata length (${metadataLength})`);
      }
      const metadata = new Uint8Array(metadataLength);
      await input.readInto(metadata, false);
      const message = decodeMessage(arrow, metadata, at);
      const total = prefixLength + metadataLength + message.bodyLength;
      const vec = LargeVec.allocUnsafe(Uint8Array, total);
      try {
        vec.view(0, prefixLength).set(prefix.subarray(0, prefixLength));
        vec.view(prefixLength, prefixLength + metadataLength).set(metadata);
        for (let done = prefixLength + metadataLength; done < total;) {
          const length = Math.min(MAX_READ_BYTES, total - done);
          await input.readInto(vec.view(done, done + length), false);
          done += length;
        }
      } catch (error) {
        vec.dispose();
        throw error;
      }
      const bytes = vec.view(0, total);
      const owner = new SharedOwner([vec as LargeVec<TypedArray>]).retain();
      if (message.headerType === HEADER_SCHEMA) {
        schemaOwner?.release();
        schemaMessage = bytes;
        schemaOwner = owner;
        continue;
      }
      if (schemaMessage === null) {
        owner.release();
        throw new InvalidIpcError(at, "a message before the schema");
      }
      if (message.headerType === HEADER_DICTIONARY_BATCH) {
        dictionaries.push({ bytes, owner });
        continue;
      }
      if (message.headerType !== HEADER_RECORD_BATCH) {
        owner.release();
        throw new InvalidIpcError(at, `an unexpected message type (${message.headerType})`);
      }
      const chunks = [schemaMessage, ...dictionaries.map((d) => d.bytes), bytes];
      let decoded: { schema: PooledSchema; batches: DecodedBatch[] };
      try {
        decoded = decodeChunks(arrow, chunks, at, columns, schema);
      } catch (error) {
        owner.release();
        throw error;
      }
      schema = decoded.schema;
      for (const batch of decoded.batches) {
        const owners = [owner.retain(), ...dictionaries.map((d) => d.owner.retain())];
        yield makeBatch(schema, batch.numRows, batch.columns, owners);
      }
      owner.release();
    }
  } finally {
    schemaOwner?.release();
    for (const { owner } of dictionaries) owner.release();
  }
}

interface DecodedBatch {
  numRows: number;
  columns: ColumnChunk[];
}

/** Where the footer of a file starts, from its first 8 and last 10 bytes (checked). */
function checkFileEnds(size: number, head: Uint8Array, tail: Uint8Array): number {
  if (ascii(head.subarray(0, 6)) !== MAGIC) {
    throw new InvalidIpcError(0, 'the file does not start with "ARROW1"');
  }
  if (ascii(tail.subarray(4, 10)) !== MAGIC) {
    throw new InvalidIpcError(size - 6, 'the file does not end with "ARROW1" (truncated?)');
  }
  const footerLength = new DataView(tail.slice(0, 4).buffer).getInt32(0, true);
  const footerStart = size - FILE_TAIL_BYTES - footerLength;
  if (footerLength <= 0 || footerStart < FILE_HEAD_BYTES) {
    throw new InvalidIpcError(size - 10, `an impossible footer length (${footerLength})`);
  }
  return footerStart;
}

/** Splits a whole file (in `vec`) into messages and decodes them into a table. */
function decodeFile(arrow: ArrowModule, vec: LargeVec<Uint8Array>): PooledTable {
  let chunks: Uint8Array[];
  try {
    const size = vec.length;
    const footerStart = checkFileEnds(
      size,
      vec.view(0, FILE_HEAD_BYTES),
      vec.view(size - FILE_TAIL_BYTES, size),
    );
    chunks = splitMessages(arrow, vec, FILE_HEAD_BYTES, footerStart);
    if (chunks.length === 0 || messageType(arrow, chunks[0]!) !== HEADER_SCHEMA) {
      // apache-arrow's file writer puts the schema only in the footer, not as a message
      // before the batches: make that message, so the stream reader can decode the rest.
      chunks.unshift(
        schemaMessage(arrow, schemaFromFooter(arrow, vec.view(footerStart, size - 6), footerStart)),
      );
    }
  } catch (error) {
    vec.dispose();
    throw error;
  }
  return tableFromChunks(arrow, vec, chunks, undefined);
}

/** Decodes message-aligned chunks in `vec` into a table owning `vec`. */
function tableFromChunks(
  arrow: ArrowModule,
  vec: LargeVec<Uint8Array>,
  chunks: Uint8Array[],
  columns: readonly string[] | undefined,
): PooledTable {
  try {
    const owner = new SharedOwner([vec as LargeVec<TypedArray>]);
    const { schema, batches } = decodeChunks(arrow, chunks, FILE_HEAD_BYTES, columns, null);
    const pooled = batches.map((batch) =>
      makeBatch(schema, batch.numRows, batch.columns, [owner.retain()]),
    );
    if (pooled.length === 0) vec.dispose();
    return makeTable(schema, pooled);
  } catch (error) {
    vec.dispose();
    throw error;
  }
}

/** The messages in `vec` from `start` to `end` (an EOS marker ends them early). */
function splitMessages(
  arrow: ArrowModule,
  vec: LargeVec<Uint8Array>,
  start: number,
  end: number,
): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = start;
  while (at < end) {
    if (end - at < 4) throw new InvalidIpcError(at, "a message prefix cut short");
    const head = new DataView(vec.view(at, Math.min(end, at + 8)).slice().buffer);
    let metadataLength = head.getInt32(0, true);
    let prefixLength = 4;
    if (metadataLength === CONTINUATION) {
      if (end - at < 8) throw new InvalidIpcError(at, "a message prefix cut short");
      metadataLength = head.getInt32(4, true);
      prefixLength = 8;
    }
    if (metadataLength === 0) break;
    if (metadataLength < 0 || at + prefixLength + metadataLength > end) {
      throw new InvalidIpcError(
        at,
        `a metadata length (${metadataLength}) past the end of the messages`,
      );
    }
    const metadataStart = at + prefixLength;
    const message = decodeMessage(
      arrow,
      vec.view(metadataStart, metadataStart + metadataLength),
      at,
    );
    const messageEnd = metadataStart + metadataLength + message.bodyLength;
    if (messageEnd > end) {
      throw new InvalidIpcError(
        at,
        `a message whose body (${message.bodyLength} bytes) runs past the end of the data (truncated file?)`,
      );
    }
    chunks.push(vec.view(at, messageEnd));
    at = messageEnd;
  }
  return chunks;
}

/** The header type of a message chunk (already checked by splitMessages). */
function messageType(arrow: ArrowModule, chunk: Uint8Array): number {
  const head = new DataView(chunk.slice(0, 8).buffer);
  const continued = head.getInt32(0, true) === CONTINUATION;
  const length = head.getInt32(continued ? 4 : 0, true);
  const start = continued ? 8 : 4;
  return arrow.Message.decode(chunk.subarray(start, start + length)).headerType;
}

/**
 * The schema in a file's footer (`footerAndLength`: the footer and its int32 length).
 * apache-arrow has no public footer decoder, so its file reader's own is used on a small
 * file holding just the footer (its internals are stable across the supported 21.x).
 */
function schemaFromFooter(
  arrow: ArrowModule,
  footerAndLength: Uint8Array,
  at: number,
): Arrow.Schema {
  const file = new Uint8Array(FILE_HEAD_BYTES + footerAndLength.length + 6);
  file.set(new TextEncoder().encode(MAGIC), 0);
  file.set(footerAndLength, FILE_HEAD_BYTES);
  file.set(new TextEncoder().encode(MAGIC), file.length - 6);
  try {
    const reader = arrow.RecordBatchReader.from(file) as unknown as {
      _impl: { _readFooter(): { schema: Arrow.Schema } };
    };
    return reader._impl._readFooter().schema;
  } catch (error) {
    throw new InvalidIpcError(at, "a footer apache-arrow could not decode", error);
  }
}

/** A schema message (prefix, metadata) for `schema`. */
function schemaMessage(arrow: ArrowModule, schema: Arrow.Schema): Uint8Array {
  const metadata = arrow.Message.encode(arrow.Message.from(schema));
  const padded = (metadata.length + 8 + 7) & ~7;
  const message = new Uint8Array(padded);
  const view = new DataView(message.buffer);
  view.setInt32(0, CONTINUATION, true);
  view.setInt32(4, padded - 8, true);
  message.set(metadata, 8);
  return message;
}

function decodeMessage(arrow: ArrowModule, metadata: Uint8Array, at: number): Arrow.Message {
  let message: Arrow.Message;
  try {
    message = arrow.Message.decode(metadata);
  } catch (error) {
    throw new InvalidIpcError(at, "metadata that is not an Arrow message", error);
  }
  const bodyLength = Number(message.bodyLength);
  if (!Number.isSafeInteger(bodyLength) || bodyLength < 0) {
    throw new InvalidIpcError(at, `an impossible body length (${String(message.bodyLength)})`);
  }
  return message;
}

/** Decodes message-aligned chunks with apache-arrow (which views them) into column chunks. */
function decodeChunks(
  arrow: ArrowModule,
  chunks: Uint8Array[],
  at: number,
  columns: readonly string[] | undefined,
  known: PooledSchema | null,
): { schema: PooledSchema; batches: DecodedBatch[] } {
  let arrowBatches: Arrow.RecordBatch[];
  let fullSchema: PooledSchema;
  try {
    // A sync source gives a sync reader: open() returns it, not a promise.
    const reader = (
      arrow.RecordBatchReader.from(chunks as never) as unknown as Arrow.RecordBatchReader
    ).open() as Arrow.RecordBatchReader;
    // Before iterating: a reader read to its end closes and forgets its schema.
    fullSchema = known !== null && columns === undefined ? known : PooledSchema.from(reader.schema);
    arrowBatches = [...reader];
  } catch (error) {
    if (error instanceof InvalidIpcError) throw error;
    if ((error as { code?: string }).code === "ERR_INVALID_ARG_VALUE") throw error;
    throw new InvalidIpcError(
      at,
      `apache-arrow could not decode it (${(error as Error).message})`,
      error,
    );
  }
  const schema = columns === undefined ? fullSchema : fullSchema.select(columns, "options.columns");
  const indices = schema.fields.map((field) => fullSchema.indexOf(field.name));
  const batches = arrowBatches.map((batch) => ({
    numRows: batch.numRows,
    columns: indices.map((index, i) => chunkOf(batch.data.children[index]!, schema.fields[i]!, at)),
  }));
  return { schema: known !== null && columns === undefined ? known : schema, batches };
}

const DICTIONARY_BUFFERS = new WeakMap<Arrow.Data, ArrayBuffers>();

function buffersOf(data: Arrow.Data, at: number): ArrayBuffers {
  if (data.offset !== 0) throw new InvalidIpcError(at, "a sliced array (internal)");
  const nullCount = data.nullCount;
  return {
    length: data.length,
    nullCount,
    values: data.values as TypedArray,
    offsets: (data.valueOffsets as Int32Array | BigInt64Array | undefined) ?? null,
    validity: nullCount > 0 ? (data.nullBitmap ?? null) : null,
  };
}

function chunkOf(data: Arrow.Data, field: PooledSchema["fields"][number], at: number): ColumnChunk {
  const buffers = buffersOf(data, at);
  if (field.type !== "dictionary") return { ...buffers, field, dictionary: null };
  const parts = (data.dictionary?.data ?? []).map((part: Arrow.Data) => {
    let cached = DICTIONARY_BUFFERS.get(part);
    if (cached === undefined) {
      cached = buffersOf(part, at);
      DICTIONARY_BUFFERS.set(part, cached);
    }
    return cached;
  });
  return { ...buffers, field, dictionary: parts };
}

function ascii(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

function checkPath(path: unknown): void {
  if (typeof path !== "string") throw new InvalidArgTypeError("path", "of type string", path);
}

function checkColumns(options: unknown): readonly string[] | undefined {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgTypeError("options", "of type object", options);
  }
  const columns = (options as ReadIPCOptions).columns;
  if (columns === undefined) return undefined;
  if (!Array.isArray(columns) || columns.some((name) => typeof name !== "string")) {
    throw new InvalidArgTypeError("options.columns", "an array of column names", columns);
  }
  return columns;
}

/** Exact-length reads from an async iterator of byte chunks. */
class ByteInput {
  readonly #source: AsyncIterator<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #position = 0;
  #ended = false;

  constructor(source: AsyncIterator<Uint8Array>) {
    this.#source = source;
  }

  get position(): number {
    return this.#position;
  }

  /**
   * Fills `target`. Returns false if the input ended before the first byte and `mayEnd`;
   * an end anywhere else is an `InvalidIpcError` (truncated stream).
   */
  async readInto(target: Uint8Array, mayEnd: boolean): Promise<boolean> {
    let filled = 0;
    while (filled < target.length) {
      if (this.#chunk.length === 0) {
        if (this.#ended) break;
        const next = await this.#source.next();
        if (next.done === true) {
          this.#ended = true;
          break;
        }
        const value: unknown = next.value;
        if (!(value instanceof Uint8Array)) {
          throw new InvalidArgTypeError(
            "readable",
            "a stream of bytes (Buffers or Uint8Arrays)",
            value,
          );
        }
        this.#chunk = value;
        continue;
      }
      const take = Math.min(this.#chunk.length, target.length - filled);
      target.set(this.#chunk.subarray(0, take), filled);
      this.#chunk = this.#chunk.subarray(take);
      filled += take;
      this.#position += take;
    }
    if (filled === target.length) return true;
    if (filled === 0 && mayEnd) return false;
    throw new InvalidIpcError(
      this.#position,
      `the stream ended ${target.length - filled} bytes short of a message`,
    );
  }
}
