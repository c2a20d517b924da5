// `writeIPC`: a pooled table (or batches, sync or async) to an Arrow IPC stream or file,
// batch by batch. apache-arrow's writer encodes the messages; its sink is replaced by one
// that only collects the pieces it emits (views of our buffers, plus small headers and
// padding), which are written out at once with backpressure: small pieces coalesced,
// large ones written as they are in writes of at most 1 GiB (a single fs write over
// 2^31 - 1 bytes fails on Node 20). Nothing is concatenated: memory stays at the table
// plus a small staging buffer. Sealed batches have padded bitmaps and offsets starting at
// 0, so the writer copies none of their buffers.
//
// Each batch holds a lease while it is written, so disposing it meanwhile throws
// `ERR_LGALLOC_BUSY` (or waits, with `disposeAsync`) instead of handing its pages to
// another owner mid-write.

import * as fs from "node:fs";
import type { Writable } from "node:stream";

import { InvalidArgTypeError, InvalidArgValueError, OutOfRangeError } from "@lgalloc/core";
import type * as Arrow from "apache-arrow";

import { arrowModule, type ArrowModule } from "./arrow-module";
import { arrowSchema } from "./arrow-views";
import { MAX_IPC_BUFFER_BYTES } from "./batch-limits";
import type { ColumnChunk } from "./column-chunk";
import { batchInternals, PooledRecordBatch } from "./record-batch";
import type { PooledSchema } from "./schema";
import { PooledTable } from "./table";

/** The largest single write. */
export const MAX_WRITE_BYTES = 2 ** 30;
/** Pieces smaller than this are copied into a staging buffer of this size. */
const STAGING_BYTES = 2 ** 20;

/** Options of `writeIPC`. */
export interface WriteIPCOptions {
  /** The Arrow IPC format written. @defaultValue "stream" */
  format?: "stream" | "file";
}

/** Where `writeIPC` writes: a path (created or truncated), an open fd, or a Writable. */
export type IPCTarget = string | number | Writable;

type BatchSource =
  PooledTable | PooledRecordBatch | Iterable<PooledRecordBatch> | AsyncIterable<PooledRecordBatch>;

/**
 * Writes the batches to `target` in the Arrow IPC stream (default) or file format.
 * @throws (rejects with) `InvalidArgTypeError` `ERR_INVALID_ARG_TYPE` for a source or
 *   target of the wrong type, `InvalidArgValueError` `ERR_INVALID_ARG_VALUE` for an unknown
 *   `format`, `LgallocError` `ERR_LGALLOC_DISPOSED` for a disposed source, and the
 *   target's own I/O errors.
 */
export async function writeIPC(
  source: BatchSource,
  target: IPCTarget,
  options: WriteIPCOptions = {},
): Promise<void> {
  const format = options?.format ?? "stream";
  if (format !== "stream" && format !== "file") {
    throw new InvalidArgValueError("options.format", "must be 'stream' or 'file'", format);
  }
  const { batches, schema } = sourceBatches(source);
  // A table is leased whole for the write, so that none of its batches goes away meanwhile.
  if (source instanceof PooledTable) {
    for (const batch of source.batches)
      checkBufferSizes(batch, batchInternals(batch, "write IPC").columns);
  }
  const tableLeases =
    source instanceof PooledTable
      ? source.batches.map((batch) => batchInternals(batch, "write IPC").lease())
      : [];
  try {
    await writeBatches(batches, schema, target, format, source);
  } finally {
    for (const end of tableLeases) end();
  }
}

async function writeBatches(
  batches: Iterable<PooledRecordBatch> | AsyncIterable<PooledRecordBatch>,
  schema: PooledSchema | null,
  target: IPCTarget,
  format: "stream" | "file",
  source: unknown,
): Promise<void> {
  const arrow = arrowModule();
  const sink = await openSink(target);
  const collector = new (collectorClass(arrow))();
  const writer =
    format === "file" ? new arrow.RecordBatchFileWriter() : new arrow.RecordBatchStreamWriter();
  let started = false;
  let failed = false;
  try {
    const start = (pooled: PooledSchema): void => {
      writer.reset(collector as unknown as Arrow.AsyncByteQueue, arrowSchema(arrow, pooled));
      started = true;
    };
    if (schema !== null) start(schema);
    for await (const batch of batches) {
      if (!(batch instanceof PooledRecordBatch)) {
        throw new InvalidArgTypeError("source", "PooledRecordBatches", batch);
      }
      const internals = batchInternals(batch, "write IPC");
      checkBufferSizes(batch, internals.columns);
      const end = internals.lease();
      try {
        if (!started) start(batch.schema);
        writer.write(batch.toArrowRecordBatch());
        await sink.writeAll(collector.take());
      } finally {
        end();
      }
    }
    if (!started)
      throw new InvalidArgValueError("source", "has no batches (and so no schema)", source);
    writer.finish();
    await sink.writeAll(collector.take());
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await sink.close(failed);
  }
}

/**
 * Refuses a batch with a buffer of 2 GiB or more before anything of it is written: the
 * encoder would record a negative length and write a corrupt file.
 */
function checkBufferSizes(batch: PooledRecordBatch, columns: readonly ColumnChunk[]): void {
  for (const chunk of columns) {
    const sizes = [
      chunk.values.byteLength,
      chunk.offsets?.byteLength ?? 0,
      chunk.validity?.byteLength ?? 0,
    ];
    const largest = Math.max(...sizes);
    if (largest > MAX_IPC_BUFFER_BYTES) {
      throw new OutOfRangeError(
        `source (column "${chunk.field.name}", a batch of ${batch.numRows} rows)`,
        `a batch whose buffers each hold at most ${MAX_IPC_BUFFER_BYTES} bytes (cut smaller batches with batchRows)`,
        largest,
      );
    }
  }
}

function sourceBatches(source: BatchSource): {
  batches: Iterable<PooledRecordBatch> | AsyncIterable<PooledRecordBatch>;
  schema: PooledSchema | null;
} {
  if (source instanceof PooledTable) {
    return { batches: source.batches, schema: source.schema };
  }
  if (source instanceof PooledRecordBatch) return { batches: [source], schema: source.schema };
  if (
    typeof source === "object" &&
    source !== null &&
    (Symbol.iterator in source || Symbol.asyncIterator in source)
  ) {
    return { batches: source, schema: null };
  }
  throw new InvalidArgTypeError(
    "source",
    "a PooledTable, a PooledRecordBatch or an iterable of them",
    source,
  );
}

interface Collector {
  take(): Uint8Array[];
}

const COLLECTORS = new WeakMap<ArrowModule, new () => Collector>();

/**
 * A subclass of the module's AsyncByteQueue (the writer accepts only those as sinks) that
 * keeps the pieces written to it for us to take, instead of queueing them for a reader.
 */
function collectorClass(arrow: ArrowModule): new () => Collector {
  let Class = COLLECTORS.get(arrow);
  if (Class === undefined) {
    class PieceCollector extends arrow.AsyncByteQueue {
      #pieces: Uint8Array[] = [];
      override write(value: Uint8Array): void {
        const bytes =
          value instanceof Uint8Array
            ? value
            : new Uint8Array(
                (value as ArrayBufferView).buffer,
                (value as ArrayBufferView).byteOffset,
                (value as ArrayBufferView).byteLength,
              );
        if (bytes.byteLength > 0) this.#pieces.push(bytes);
      }
      override close(): void {}
      take(): Uint8Array[] {
        const pieces = this.#pieces;
        this.#pieces = [];
        return pieces;
      }
    }
    Class = PieceCollector as unknown as new () => Collector;
    COLLECTORS.set(arrow, Class);
  }
  return Class;
}

interface Sink {
  writeAll(pieces: Uint8Array[]): Promise<void>;
  close(failed: boolean): Promise<void>;
}

async function openSink(target: IPCTarget): Promise<Sink> {
  if (typeof target === "string") {
    const handle = await fs.promises.open(target, "w");
    return stagedSink(
      async (bytes) => {
        let done = 0;
        while (done < bytes.byteLength) {
          const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done);
          done += bytesWritten;
        }
      },
      () => handle.close(),
    );
  }
  if (typeof target === "number") {
    if (!Number.isInteger(target) || target < 0) {
      throw new InvalidArgValueError(
        "target",
        "must be a file descriptor (an integer >= 0)",
        target,
      );
    }
    return stagedSink(
      async (bytes) => {
        let done = 0;
        while (done < bytes.byteLength) {
          done += await new Promise<number>((resolve, reject) =>
            fs.write(target, bytes, done, bytes.byteLength - done, null, (error, written) =>
              error ? reject(error) : resolve(written),
            ),
          );
        }
      },
      async () => {},
    );
  }
  if (typeof target === "object" && target !== null && typeof target.write === "function") {
    const stream = target;
    return stagedSink(
      (bytes) =>
        new Promise<void>((resolve, reject) => {
          // Resolved by the write's callback, once the stream is done with the chunk (a
          // view of leased memory), not merely once it was queued.
          stream.write(bytes, (error) => (error ? reject(error) : resolve()));
        }),
      async () => {
        await new Promise<void>((resolve) => {
          if (stream.writableLength === 0) resolve();
          else stream.once("drain", () => resolve());
        });
      },
    );
  }
  throw new InvalidArgTypeError("target", "a path, a file descriptor or a Writable stream", target);
}

/** A sink that coalesces small pieces and writes large ones in pieces of <= 1 GiB. */
function stagedSink(write: (bytes: Uint8Array) => Promise<void>, close: () => Promise<void>): Sink {
  let staging = new Uint8Array(STAGING_BYTES);
  let staged = 0;
  const flush = async (): Promise<void> => {
    if (staged === 0) return;
    const bytes = staging.subarray(0, staged);
    // A stream may still hold the staged bytes: give it this buffer, take a new one.
    staging = new Uint8Array(STAGING_BYTES);
    staged = 0;
    await write(bytes);
  };
  return {
    async writeAll(pieces) {
      for (const piece of pieces) {
        if (piece.byteLength <= STAGING_BYTES - staged) {
          staging.set(piece, staged);
          staged += piece.byteLength;
          continue;
        }
        await flush();
        if (piece.byteLength < STAGING_BYTES) {
          staging.set(piece, 0);
          staged = piece.byteLength;
          continue;
        }
        for (let done = 0; done < piece.byteLength; done += MAX_WRITE_BYTES) {
          await write(piece.subarray(done, Math.min(piece.byteLength, done + MAX_WRITE_BYTES)));
        }
      }
      await flush();
    },
    async close(failed) {
      try {
        if (!failed) await flush();
      } finally {
        await close();
      }
    },
  };
}
