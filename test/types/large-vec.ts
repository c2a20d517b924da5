// Type tests of LargeVec: the element type is inferred from the constructor passed, and
// element values are numbers or bigints accordingly. (With TypeScript 5.7+ typed arrays are
// generic over their buffer; a constructor passed infers `Float64Array<ArrayBuffer>`, which
// is assignable wherever `LargeVec<Float64Array>` is expected.)

import { LargeVec, type ElementOf, type LargeVecToken } from "@lgalloc/collections";
import { expectType } from "./expect";

const doubles = new LargeVec(Float64Array);
expectType<LargeVec<Float64Array<ArrayBuffer>>>()(doubles);
const declared: LargeVec<Float64Array> = doubles;
void declared;
expectType<number>()(doubles.get(0));
expectType<number | undefined>()(doubles.at(-1));
expectType<number | undefined>()(doubles.pop());
expectType<Float64Array<ArrayBuffer>>()(doubles.view());
expectType<Float64Array<ArrayBuffer>>()(doubles.toTypedArray());
expectType<number>()(doubles.push(1, 2, 3));

// The default element type is Float64Array.
expectType<LargeVec<Float64Array>>()(new LargeVec<Float64Array>(Float64Array, 4));
const defaulted: LargeVec = doubles;
expectType<LargeVec<Float64Array>>()(defaulted);

const ids = LargeVec.from(BigInt64Array, [1n, 2n]);
expectType<LargeVec<BigInt64Array<ArrayBuffer>>>()(ids);
expectType<bigint>()(ids.get(0));
expectType<bigint>()(0n as ElementOf<BigUint64Array>);
expectType<number>()(0 as ElementOf<Uint8ClampedArray>);
expectType<LargeVec<Uint8Array<ArrayBuffer>>>()(LargeVec.withCapacity(Uint8Array, 16));
expectType<LargeVec<Int32Array<ArrayBuffer>>>()(LargeVec.allocUnsafe(Int32Array, 16));

for (const value of doubles) expectType<number>()(value);
for (const [index, value] of ids.entries()) {
  expectType<number>()(index);
  expectType<bigint>()(value);
}

const token: LargeVecToken = doubles.transfer();
expectType<LargeVec<Float64Array>>()(LargeVec.adopt<Float64Array>(token));

// @ts-expect-error a string is not a double
doubles.push("1");
// @ts-expect-error a bigint vector takes bigints, not numbers
ids.push(1);
// @ts-expect-error a number vector takes numbers, not bigints
doubles.set(0, 1n);
// @ts-expect-error the element type is a typed array constructor, not a plain object
new LargeVec({ BYTES_PER_ELEMENT: 8 });
