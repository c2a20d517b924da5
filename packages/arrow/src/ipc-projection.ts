// Reading only some columns of an Arrow IPC file (`readIPCFile(path, { columns })`): the
// messages are found with small reads of their prefixes and metadata, and only the
// buffers of the chosen columns (and the dictionaries they use) are read, straight into
// one pooled region, each record batch rewritten as a message of just those buffers (new
// metadata, the bodies' bytes as they were). The memory of a projected table is then what
// its columns need, not the whole file.
//
// The plan is a generator of reads, run by a synchronous or an asynchronous driver
// (readIPCFileSync / readIPCFile), so both share one implementation.
//
// apache-arrow builds the new metadata: its RecordBatch, FieldNode and BufferRegion
// metadata classes are not exported, so they are taken from the decoded header's own
// objects (`constructor`); the supported 21.x versions all have them.

import { LargeVec } from "@lgalloc/collections";
import type * as Arrow from "apache-arrow";

import type { ArrowModule } from "./arrow-module";
import { InvalidIpcError } from "./errors";
import type { PooledSchema, PooledField } from "./schema";
import { PooledSchema as Schema } from "./schema";

/** The largest single read. */
const MAX_READ_BYTES = 2 ** 30;
const CONTINUATION = -1;
const HEADER_SCHEMA = 1;
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;

/** One read the driver performs: fill `into` from the file at `position`. */
export interface ReadRequest {
  readonly into: Uint8Array;
  readonly position: number;
}

/** What the plan produces: message-aligned chunks in `vec`, to decode. */
export interface ProjectedChunks {
  readonly vec: LargeVec<Uint8Array>;
  readonly chunks: Uint8Array[];
  readonly schema: PooledSchema;
}

interface Found {
  at: number;
  prefixLength: number;
  metadata: Uint8Array;
  message: Arrow.Message;
}

/** Buffers per field in a record batch (validity first). */
function bufferCount(field: PooledField): number {
  return field.kind === "utf8" ||
    field.kind === "binary" ||
    field.kind === "largeUtf8" ||
    field.kind === "largeBinary"
    ? 3
    : 2;
}

/**
 * Plans the reads of `columns` from a file of `size` bytes whose first 8 and last 10
 * bytes have been checked (`footerStart`: where the footer begins), and yields them.
 * `schemaFromFooter` gives the schema when no schema message precedes the batches.
 */
export function* projectFile(
  arrow: ArrowModule,
  footerStart: number,
  columns: readonly string[],
  schemaFromFooter: () => Generator<ReadRequest, Arrow.Schema, void>,
): Generator<ReadRequest, ProjectedChunks, void> {
  // 1. The messages: prefixes and metadata only.
  const found: Found[] = [];
  for (let at = 8; at < footerStart;) {
    if (footerStart - at < 8) throw new InvalidIpcError(at, "a message prefix cut short");
    const prefix = new Uint8Array(8);
    yield { into: prefix, position: at };
    const view = new DataView(prefix.buffer);
    let metadataLength = view.getInt32(0, true);
    let prefixLength = 4;
    if (metadataLength === CONTINUATION) {
      metadataLength = view.getInt32(4, true);
      prefixLength = 8;
    }
    if (metadataLength === 0) break;
    if (metadataLength < 0 || at + prefixLength + metadataLength > footerStart) {
      throw new InvalidIpcError(
        at,
        `a metadata length (${metadataLength}) past the end of the messages`,
      );
    }
    const metadata = new Uint8Array(metadataLength);
    yield { into: metadata, position: at + prefixLength };
    let message: Arrow.Message;
    try {
      message = arrow.Message.decode(metadata);
    } catch (error) {
      throw new InvalidIpcError(at, "metadata that is not an Arrow message", error);
    }
    const bodyLength = Number(message.bodyLength);
    const end = at + prefixLength + metadataLength + bodyLength;
    if (!Number.isSafeInteger(bodyLength) || bodyLength < 0 || end > footerStart) {
      throw new InvalidIpcError(
        at,
        `a message whose body (${String(message.bodyLength)} bytes) runs past the end of the data (truncated file?)`,
      );
    }
    found.push({ at, prefixLength, metadata, message });
    at = end;
  }

  // 2. The schema, and what of it is kept.
  const first = found[0];
  const arrowSchema =
    first !== undefined && first.message.headerType === HEADER_SCHEMA
      ? (first.message.header() as Arrow.Schema)
      : yield* schemaFromFooter();
  const full = Schema.from(arrowSchema);
  const selected = full.select(columns, "options.columns");
  const indices = selected.fields.map((field) => full.indexOf(field.name));
  const firstBuffer: number[] = [];
  let buffers = 0;
  for (const field of full.fields) {
    firstBuffer.push(buffers);
    buffers += bufferCount(field);
  }
  const dictionaryIds = new Set(
    indices
      .map((index) => arrowSchema.fields[index]!.type)
      .filter((type) => arrow.DataType.isDictionary(type))
      .map((type) => (type as Arrow.Dictionary).id),
  );
  const keptFields = indices.map((index) => arrowSchema.fields[index]!);

  // 3. The new messages: their metadata now, their bodies' reads once the region exists.
  interface Planned {
    head: Uint8Array;
    bodyLength: number;
    /** [source position, length, destination offset in the body] */
    pieces: [number, number, number][];
  }
  const planned: Planned[] = [
    frame(arrow.Message.encode(arrow.Message.from(new arrow.Schema(keptFields))), 0),
  ];
  for (const { at, prefixLength, metadata, message } of found) {
    const bodyStart = at + prefixLength + metadata.length;
    if (message.headerType === HEADER_DICTIONARY_BATCH) {
      const header = message.header() as unknown as { id: number };
      if (!dictionaryIds.has(header.id)) continue;
      planned.push({
        head: frameRaw(metadata),
        bodyLength: Number(message.bodyLength),
        pieces: [[bodyStart, Number(message.bodyLength), 0]],
      });
    } else if (message.headerType === HEADER_RECORD_BATCH) {
      const header = message.header() as unknown as Arrow.RecordBatch & {
        nodes: {
          length: number;
          nullCount: number;
          constructor: new (l: number, n: number) => object;
        }[];
        buffers: {
          offset: number;
          length: number;
          constructor: new (o: number, l: number) => object;
        }[];
        length: number;
        compression: unknown;
        metadata: unknown;
        constructor: new (...args: unknown[]) => object;
      };
      if (header.nodes.length !== full.fields.length || header.buffers.length !== buffers) {
        throw new InvalidIpcError(at, "a record batch whose buffers do not match the schema");
      }
      const nodes: object[] = [];
      const regions: object[] = [];
      const pieces: [number, number, number][] = [];
      let bodyLength = 0;
      for (const index of indices) {
        const node = header.nodes[index]!;
        nodes.push(new node.constructor(node.length, node.nullCount));
        for (let b = 0; b < bufferCount(full.fields[index]!); b++) {
          const region = header.buffers[firstBuffer[index]! + b]!;
          if (region.offset + region.length > Number(message.bodyLength)) {
            throw new InvalidIpcError(at, "a buffer past the end of its record batch's body");
          }
          regions.push(new region.constructor(bodyLength, region.length));
          if (region.length > 0)
            pieces.push([bodyStart + region.offset, region.length, bodyLength]);
          bodyLength += Math.ceil(region.length / 8) * 8;
        }
      }
      const batch = new header.constructor(
        header.length,
        nodes,
        regions,
        header.compression,
        [],
        header.metadata,
      );
      const encoded = arrow.Message.encode(arrow.Message.from(batch as never, bodyLength));
      planned.push({ ...frame(encoded, bodyLength), pieces });
    }
  }

  // 4. One region for all of it; bodies read straight into place.
  const total = planned.reduce((sum, p) => sum + p.head.length + p.bodyLength, 0);
  const vec = LargeVec.allocUnsafe(Uint8Array, total);
  try {
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const { head, bodyLength, pieces } of planned) {
      vec.view(offset, offset + head.length).set(head);
      const bodyStart = offset + head.length;
      // Zero the body first: the padding between buffers must not show old pool contents.
      vec.view(bodyStart, bodyStart + bodyLength).fill(0);
      for (const [source, length, destination] of pieces) {
        for (let done = 0; done < length; done += MAX_READ_BYTES) {
          const n = Math.min(MAX_READ_BYTES, length - done);
          const start = bodyStart + destination + done;
          yield { into: vec.view(start, start + n), position: source + done };
        }
      }
      chunks.push(vec.view(offset, bodyStart + bodyLength));
      offset = bodyStart + bodyLength;
    }
    return { vec, chunks, schema: selected };
  } catch (error) {
    vec.dispose();
    throw error;
  }
}

/** A planned message of `bodyLength` bytes whose metadata is `metadata`. */
function frame(
  metadata: Uint8Array,
  bodyLength: number,
): { head: Uint8Array; bodyLength: number; pieces: [number, number, number][] } {
  return { head: frameRaw(metadata), bodyLength, pieces: [] };
}

/** A message head: continuation marker, length, the metadata padded to 8 bytes. */
function frameRaw(metadata: Uint8Array): Uint8Array {
  const padded = (8 + metadata.length + 7) & ~7;
  const head = new Uint8Array(padded);
  const view = new DataView(head.buffer);
  view.setInt32(0, CONTINUATION, true);
  view.setInt32(4, padded - 8, true);
  head.set(metadata, 8);
  return head;
}
