// `Bitmap`: a growable bit-packed buffer in Arrow's bit order, used by `ColumnBuffer` both
// for validity (1 = valid) and for the values of `bool` columns. Bit `i` is bit `i % 8`
// (least significant first) of byte `i >> 3`; ceil(length / 8) bytes are in use, in a `LargeVec<Uint8Array>`
// appended through an `AppendWindow` (its length runs ahead), so a zero-copy view of the
// bytes in use is the Arrow buffer as is.
//
// Invariant: the bits of the last byte beyond `length` are zero. Arrow leaves them
// unspecified, but keeping them zero makes appending a 0 bit a plain OR-free write, makes
// equal bitmaps byte-equal, and survives rollbacks (`truncate` clears them).

import { AppendWindow } from "./column-window";
import { LargeVec } from "./large-vec";

export class Bitmap {
  /** The bytes, appended through a window (column-window.ts). */
  readonly #bytes: AppendWindow<Uint8Array>;
  #length = 0;
  /** The last, partly used byte (0 when `length` is a multiple of 8): saves a read per bit. */
  #tail = 0;

  /**
   * An empty bitmap, or one of `length` bits over `bytes` (an adopted column's: at least
   * ceil(length / 8) bytes; any beyond, and the bits past `length`, are cleared).
   */
  constructor(vec?: LargeVec<Uint8Array>, length = 0) {
    vec?.truncate(Math.ceil(length / 8));
    const bytes = new AppendWindow(vec ?? LargeVec.withCapacity(Uint8Array, 0));
    this.#bytes = bytes;
    if (vec !== undefined) {
      this.#length = length;
      const used = length % 8;
      if (used !== 0) {
        this.#tail = bytes.get(bytes.length - 1) & ((1 << used) - 1);
        bytes.set(bytes.length - 1, this.#tail);
      }
    }
  }

  /** Bits in the bitmap. */
  get length(): number {
    return this.#length;
  }

  /** Bytes in use: ceil(length / 8). */
  get byteLength(): number {
    return this.#bytes.length;
  }

  get(index: number): boolean {
    return ((this.#bytes.get(Math.floor(index / 8)) >> (index % 8)) & 1) === 1;
  }

  push(bit: boolean): void {
    const shift = this.#length % 8;
    if (shift === 0) {
      const byte = bit ? 1 : 0;
      this.#bytes.push(byte);
      this.#tail = byte;
    } else if (bit) {
      this.#tail |= 1 << shift;
      this.#bytes.set(this.#bytes.length - 1, this.#tail);
    } else {
      // A 0 bit in a partly used byte is already 0 (invariant above): nothing to write, but
      // the storage must still be there (issue 8: moved away by other code).
      this.#bytes.checkStorage();
    }
    this.#length++;
    if (this.#length % 8 === 0) this.#tail = 0;
  }

  /** Appends `count` copies of `bit`: whole bytes at once. */
  pushRun(bit: boolean, count: number): void {
    let remaining = count;
    while (remaining > 0 && this.#length % 8 !== 0) {
      this.push(bit);
      remaining--;
    }
    if (remaining === 0) return;
    const wholeBytes = Math.floor(remaining / 8);
    const tailBits = remaining % 8;
    const bytes = this.#bytes;
    const newByteLength = bytes.length + wholeBytes + (tailBits > 0 ? 1 : 0);
    bytes.pushRun(bit ? 0xff : 0, newByteLength - bytes.length);
    this.#tail = 0;
    if (tailBits > 0 && bit) {
      this.#tail = (1 << tailBits) - 1;
      bytes.set(newByteLength - 1, this.#tail);
    }
    this.#length += remaining;
  }

  /** Drops the bits from `length` on (no-op if `length >= this.length`). */
  truncate(length: number): void {
    if (length >= this.#length) return;
    const bytes = this.#bytes;
    bytes.truncate(Math.ceil(length / 8));
    this.#length = length;
    const used = length % 8;
    if (used === 0) {
      this.#tail = 0;
    } else {
      this.#tail = bytes.get(bytes.length - 1) & ((1 << used) - 1);
      bytes.set(bytes.length - 1, this.#tail);
    }
  }

  /** The bytes in use, without a copy; valid until the bitmap next grows. */
  view(): Uint8Array {
    return this.#bytes.view();
  }

  /**
   * Hands the bytes over for sealing (column-seal.ts): padded with zero bytes to a multiple
   * of `padding`, at the smallest storage that holds them. The bitmap must not be used
   * afterwards. On error (out of memory) the bitmap is unchanged.
   */
  seal(padding: number): LargeVec<Uint8Array> {
    const bytes = this.#bytes;
    const used = bytes.length;
    bytes.pushRun(0, Math.ceil(used / padding) * padding - used);
    try {
      return bytes.seal();
    } catch (error) {
      bytes.truncate(used);
      throw error;
    }
  }

  dispose(): void {
    this.#bytes.dispose();
  }
}
