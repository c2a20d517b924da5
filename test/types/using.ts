// Type tests of `using` compatibility: Region, LargeVec and ColumnBuffer are Disposable, so
// `using` and `await using` declarations accept them (with the repository's target es2022
// and lib esnext.disposable), and DisposableStack-style code can hold them as Disposable.

import { allocate, type Region } from "@lgalloc/core";
import { ColumnBuffer, LargeVec } from "@lgalloc/collections";
import { expectType } from "./expect";

export function scopes(): number {
  using region = allocate(2 ** 21);
  using vec = new LargeVec(Uint32Array, 4);
  using column = ColumnBuffer.create("utf8");
  expectType<Region>()(region);
  const all: Disposable[] = [region, vec, column];
  return all.length + vec.length + column.length;
}

export async function asyncScope(): Promise<number> {
  await using region = allocate(2 ** 21);
  return region.capacity;
}

const disposers: (() => void)[] = [
  allocate(2 ** 21)[Symbol.dispose],
  new LargeVec(Float64Array)[Symbol.dispose],
];
void disposers;

export function notDisposable(): void {
  // @ts-expect-error a plain object is not Disposable
  using plain = { close() {} };
  void plain;
}
