// LargeVec.adopt of a heap token accepts only a buffer that detaching really moves: a
// fixed-length, detachable ArrayBuffer. One over WebAssembly memory is copied by a
// transfer and stays attached (so the token would work twice); a resizable one could be
// shrunk under the vector. Issue 8, item 5.

import { expect } from "chai";
import { LargeVec, type LargeVecToken } from "@lgalloc/collections";
import { expectError } from "./support";

function heapToken(heap: ArrayBuffer, length: number): LargeVecToken {
  return {
    kind: "lgalloc.LargeVecToken",
    elementType: "Float64Array",
    length,
    region: undefined,
    heap,
    transferList: [heap],
  };
}

/** `WebAssembly.Memory` (the compiler's lib has no WebAssembly types here). */
const WasmMemory = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer } };
  }
).WebAssembly.Memory;

const INVALID_TOKEN = { type: Error, code: "ERR_LGALLOC_INVALID_TOKEN" } as const;

describe("LargeVec.adopt(token) with foreign heap buffers", () => {
  it("refuses a token over WebAssembly memory, which no transfer can detach", () => {
    const memory = new WasmMemory({ initial: 1 });
    new Float64Array(memory.buffer)[0] = 42;
    const token = heapToken(memory.buffer, 1);
    expectError(() => LargeVec.adopt(token), INVALID_TOKEN);
    expectError(() => LargeVec.adopt(token), INVALID_TOKEN);
  });

  it("refuses a token over a resizable ArrayBuffer", () => {
    const Resizable = ArrayBuffer as unknown as new (
      length: number,
      options: { maxByteLength: number },
    ) => ArrayBuffer & { resize(length: number): void };
    const heap = new Resizable(64, { maxByteLength: 1024 });
    expectError(() => LargeVec.adopt(heapToken(heap, 8)), INVALID_TOKEN);
  });

  it("refuses a token whose buffer claims a larger byteLength than it has", () => {
    const heap = new ArrayBuffer(8);
    Object.defineProperty(heap, "byteLength", { value: 1024 });
    expectError(() => LargeVec.adopt(heapToken(heap, 100)), INVALID_TOKEN);
  });

  it("adopts a plain heap token once", () => {
    const heap = new Float64Array([1, 2]).buffer;
    const token = heapToken(heap, 2);
    using vec = LargeVec.adopt<Float64Array>(token);
    expect(Array.from(vec)).to.deep.equal([1, 2]);
    expectError(() => LargeVec.adopt(token), INVALID_TOKEN);
  });
});
