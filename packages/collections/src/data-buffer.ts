// `DataBuffer`: the byte buffer of variable-width columns (utf8, binary and their large
// variants): the concatenated values that the offsets point into. Strings are encoded with
// `TextEncoder.encodeInto` straight into the vector's (pooled, past 2 MiB) memory, with no
// intermediate copy.
//
// encodeInto needs a writable window, and a `LargeVec` view only covers its length, so the
// vector's length runs ahead of the used bytes (`length`): the bytes between are scratch
// space, grown geometrically (at most 256 KiB at a time beyond what a write needs: the
// zero-filling touches a reused region's pages, and a sealed buffer that keeps its size
// class would keep them resident). Writes
// happen past `length` and become part of the buffer only on `commit`, so a caller can
// check the result (the Int32 offset limit) and walk away with nothing changed.
//
// Writes go through one cached view of the whole vector (`#window`), made again only when
// the vector grows: a checked `LargeVec#view` per value cost more than the encoding
// itself (a typed array over an external buffer per string). Short strings are written by
// an ASCII loop into it (a `TextEncoder.encodeInto` call costs ~0.3-0.5 µs however short
// the string, measured in packages/arrow/bench), longer ones and any non-ASCII rest by
// encodeInto. The window is only ever read as far as the vector's length; if the vector
// is disposed the window is detached (length 0), so a write goes the slow path, which
// throws `ERR_LGALLOC_DISPOSED`, and never touches freed memory.

import { LargeVec } from "./large-vec";

/** The most scratch space added beyond what a write needs (each byte is zero-filled). */
const MAX_SLACK = 256 * 2 ** 10;

/**
 * Strings of at most this many UTF-16 code units are copied by the ASCII loop; longer ones
 * go to `encodeInto`, whose per-call cost their length pays for.
 */
const ASCII_LOOP_UNITS = 64;

/** A window over no memory, before the first write. */
const EMPTY_WINDOW = new Uint8Array(0);

/** Longest window: a typed array holds at most 2^32 elements. */
const MAX_WINDOW_BYTES = 2 ** 32;

const ENCODER = new TextEncoder();
// ignoreBOM: a string that starts with U+FEFF must come back with it.
const DECODER = new TextDecoder("utf-8", { ignoreBOM: true });

export class DataBuffer {
  readonly #vec: LargeVec<Uint8Array>;
  #length = 0;
  /**
   * `#vec.view(0, #vec.length)`, made again after every growth (or EMPTY_WINDOW when the
   * vector is longer than one typed array can be: then every write takes the slow path).
   */
  #window: Uint8Array = EMPTY_WINDOW;

  /** An empty buffer, or one holding the bytes of `vec` (an adopted column's). */
  constructor(vec?: LargeVec<Uint8Array>) {
    this.#vec = vec ?? LargeVec.withCapacity(Uint8Array, 0);
    this.#length = this.#vec.length;
    if (this.#length > 0 && this.#length <= MAX_WINDOW_BYTES) this.#window = this.#vec.view();
  }

  /** Committed bytes. */
  get length(): number {
    return this.#length;
  }

  /**
   * Writes the UTF-8 encoding of `text` after the committed bytes (lone surrogates become
   * U+FFFD, per the WHATWG encoding standard) and returns where it ends; `commit(end)` keeps it.
   */
  writeText(text: string): number {
    const position = this.#length;
    const units = text.length;
    // At most 3 bytes per UTF-16 code unit (a surrogate pair: 2 units, 4 bytes).
    if (position + units * 3 > this.#window.length) return this.#writeTextSlow(text);
    const window = this.#window;
    if (units > ASCII_LOOP_UNITS) {
      return position + ENCODER.encodeInto(text, window.subarray(position)).written;
    }
    let at = position;
    for (let i = 0; i < units; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) {
        const rest = window.subarray(at, at + (units - i) * 3);
        return at + ENCODER.encodeInto(text.slice(i), rest).written;
      }
      window[at++] = unit;
    }
    return at;
  }

  /** `writeText` when the window may be too short: grows as the text needs. */
  #writeTextSlow(text: string): number {
    const vec = this.#vec;
    let position = this.#length;
    let rest = text;
    // A UTF-16 code unit takes at least 1 byte: enough for ASCII, the common case.
    this.#ensure(position + rest.length);
    for (;;) {
      const end = position + Math.min(vec.length - position, rest.length * 3);
      const { read, written } = ENCODER.encodeInto(rest, vec.view(position, end));
      position += written;
      if (read === rest.length) return position;
      // encodeInto stops before a code point that does not fit, never inside a pair, so
      // the rest starts on a code point; now it gets the worst case.
      rest = rest.slice(read);
      this.#ensure(position + rest.length * 3);
    }
  }

  /** Writes `bytes` after the committed bytes and returns where they end (see `commit`). */
  writeBytes(bytes: Uint8Array): number {
    const start = this.#length;
    const end = start + bytes.length;
    let source = bytes;
    if (end > this.#vec.capacity && source.buffer === this.#vec.view(0, 0).buffer) {
      // The source is a view of this very buffer (e.g. `col.append(col.data())`), which
      // growing is about to detach: copy it first.
      source = source.slice();
    }
    this.#ensure(end);
    if (end <= this.#window.length) this.#window.set(source, start);
    else this.#vec.view(start, end).set(source);
    return end;
  }

  /**
   * Makes room for `bytes` more committed bytes at once (the capacity: nothing is zero-filled
   * or touched until written), so that writing them does not grow through intermediate sizes.
   */
  reserve(bytes: number): void {
    const vec = this.#vec;
    const required = this.#length + bytes;
    if (required <= vec.capacity) return;
    vec.reserve(required - vec.length);
    // Moving the storage detached the old window: view the (unchanged) length again.
    this.#viewWindow();
  }

  /** Makes the bytes written up to `end` part of the buffer. */
  commit(end: number): void {
    this.#length = end;
  }

  /** Drops the bytes from `length` on (no-op if `length >= this.length`). */
  truncate(length: number): void {
    if (length < this.#length) this.#length = length;
  }

  /** Bytes `[start, end)` without a copy; valid until the buffer next grows. */
  bytes(start: number, end: number): Uint8Array {
    return this.#vec.view(start, end);
  }

  /** Bytes `[start, end)` decoded as UTF-8. */
  text(start: number, end: number): string {
    return DECODER.decode(this.#vec.view(start, end));
  }

  /** The committed bytes without a copy. */
  view(): Uint8Array {
    return this.#vec.view(0, this.#length);
  }

  /**
   * Hands the committed bytes over for sealing (column-seal.ts): the scratch space is
   * dropped and the vector moved to the smallest storage that holds them. The buffer must
   * not be used afterwards. On error (out of memory) nothing is lost.
   */
  seal(): LargeVec<Uint8Array> {
    this.#window = EMPTY_WINDOW;
    this.#vec.truncate(this.#length);
    this.#vec.shrinkToFit();
    return this.#vec;
  }

  dispose(): void {
    this.#window = EMPTY_WINDOW;
    this.#vec.dispose();
  }

  /** Makes the vector at least `end` bytes long (its length, not just its capacity). */
  #ensure(end: number): void {
    const vec = this.#vec;
    if (vec.length >= end) return;
    if (end > vec.capacity) vec.reserve(Math.max(end, vec.capacity * 2) - vec.length);
    vec.resize(Math.max(end, Math.min(vec.capacity, end + MAX_SLACK)));
    this.#viewWindow();
  }

  /** `#window` over the vector's whole length, or EMPTY_WINDOW past one typed array's. */
  #viewWindow(): void {
    const vec = this.#vec;
    this.#window = vec.length <= MAX_WINDOW_BYTES ? vec.view(0, vec.length) : EMPTY_WINDOW;
  }
}
