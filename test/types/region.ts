// Type tests of Region#view and the token types: a view's type follows the constructor
// passed, Buffer included (it works at run time: docs/core-api.md).

import { adopt, allocate, type RegionToken } from "@lgalloc/core";
import { expectType } from "./expect";

const region = allocate(2 ** 21);
expectType<Float64Array<ArrayBuffer>>()(region.view(Float64Array));
expectType<Uint8Array<ArrayBuffer>>()(region.view(Uint8Array, 0, 16));
expectType<BigUint64Array<ArrayBuffer>>()(region.view(BigUint64Array));
const doubles: Float64Array = region.view(Float64Array);
void doubles;

// view(Buffer) works at run time and returns a Buffer, but the declarations reject it
// (issue 8 fixes them). Remove this @ts-expect-error line when that fix lands: from then on
// the expectation below checks the fixed declaration.
const bytes: Buffer = region.view(Buffer);
void bytes;

const token: RegionToken = region.transfer();
expectType<"lgalloc.RegionToken">()(token.kind);
expectType<readonly ArrayBuffer[]>()(token.transferList);
adopt(token).dispose();

// @ts-expect-error a view needs a constructor, not a typed array
region.view(new Uint8Array(4));
// @ts-expect-error byteOffset is a number
region.view(Uint8Array, "0");
