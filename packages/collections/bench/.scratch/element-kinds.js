"use strict";
// The 11 element kinds a `LargeVec` can hold, one per typed array constructor, and their
// value conversion. Conversion is exactly the typed array's own: a value is stored into a
// one-element scratch array of the same kind and read back, so that clamping, wrapping,
// rounding and `valueOf` calls behave as `new Float64Array(1)[0] = value` would. Doing the
// conversion before touching the vector also means user code (a `valueOf`) can never run
// halfway through a write.
Object.defineProperty(exports, "__esModule", { value: true });
exports.ELEMENT_TYPE_NAMES = void 0;
exports.elementKindOf = elementKindOf;
exports.elementKindNamed = elementKindNamed;
exports.convertElement = convertElement;
exports.conversionError = conversionError;
exports.isTypedArray = isTypedArray;
exports.holdsBigInts = holdsBigInts;
const node_util_1 = require("node:util");
const core_1 = require("@lgalloc/core");
const CONSTRUCTORS = [
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
];
function describeKind(Ctor) {
    const scratch = new Ctor(new ArrayBuffer(Ctor.BYTES_PER_ELEMENT), 0, 1);
    const bigint = Ctor === BigInt64Array || Ctor === BigUint64Array;
    return Object.freeze({
        Ctor,
        name: Ctor.name,
        bytesPerElement: Ctor.BYTES_PER_ELEMENT,
        primitive: bigint ? "bigint" : "number",
        scratch,
    });
}
const BY_CONSTRUCTOR = new Map(CONSTRUCTORS.map((Ctor) => [Ctor, describeKind(Ctor)]));
const BY_NAME = new Map([...BY_CONSTRUCTOR.values()].map((kind) => [kind.name, kind]));
/** The names of the 11 typed array constructors, in the usual order. */
exports.ELEMENT_TYPE_NAMES = Object.freeze([...BY_NAME.keys()]);
/**
 * The kind of `value`, which must be one of the 11 typed array constructors themselves (not
 * a subclass such as `Buffer`). `TypeError` `ERR_INVALID_ARG_TYPE` otherwise.
 */
function elementKindOf(value, name) {
    const kind = BY_CONSTRUCTOR.get(value);
    if (kind === undefined) {
        throw new core_1.InvalidArgTypeError(name, "one of the 11 typed array constructors (such as Float64Array)", value);
    }
    return kind;
}
/** The kind whose constructor is called `name`, or `undefined`. */
function elementKindNamed(name) {
    return typeof name === "string" ? BY_NAME.get(name) : undefined;
}
/**
 * `value` converted as storing it into a typed array of `kind` would, or a `TypeError`
 * `ERR_INVALID_ARG_TYPE` naming `name` where the typed array would throw (a bigint into a
 * number kind, a number into a bigint kind, a symbol, a string that is no integer into a
 * bigint kind). An error thrown by the value's own `valueOf` that is no `TypeError` passes
 * through unchanged.
 */
function convertElement(kind, value, name) {
    const scratch = kind.scratch;
    try {
        scratch[0] = value;
    }
    catch (error) {
        throw conversionError(kind, name, value, error);
    }
    return scratch[0];
}
/**
 * The error for `value`, whose store into a typed array of `kind` threw `error`: typed
 * arrays throw `TypeError` for a wrong primitive type and `SyntaxError` for a string
 * `BigInt` cannot parse; both become `TypeError` `ERR_INVALID_ARG_TYPE` (with the original
 * as `cause`). Any other error is returned as it is.
 */
function conversionError(kind, name, value, error) {
    if (!(error instanceof TypeError || error instanceof SyntaxError))
        return error;
    const wrapped = new core_1.InvalidArgTypeError(name, kind.primitive === "bigint"
        ? `of type bigint (or convertible to one, as ${kind.name} elements are)`
        : `of type number (or convertible to one, as ${kind.name} elements are)`, value);
    Object.defineProperty(wrapped, "cause", { value: error, configurable: true, writable: true });
    return wrapped;
}
/** True if `value` is a typed array of any kind or realm (a `Buffer` too). */
function isTypedArray(value) {
    return node_util_1.types.isTypedArray(value);
}
/** True if `array` holds bigints. */
function holdsBigInts(array) {
    return node_util_1.types.isBigInt64Array(array) || node_util_1.types.isBigUint64Array(array);
}
//# sourceMappingURL=element-kinds.js.map