"use strict";
// Argument checks of the collections, in the core's message format (Node's own): indices,
// lengths and relative positions. The core's `validate.ts` is internal to it, so the few
// checks the collections need live here. Each throws before anything changes.
Object.defineProperty(exports, "__esModule", { value: true });
exports.checkInteger = checkInteger;
exports.checkIndex = checkIndex;
exports.checkRelativePosition = checkRelativePosition;
exports.checkOptionalFunction = checkOptionalFunction;
const core_1 = require("@lgalloc/core");
/** A safe integer in [min, max]: `TypeError` for a non-number, `RangeError` otherwise. */
function checkInteger(value, name, min, max) {
    if (typeof value !== "number")
        throw new core_1.InvalidArgTypeError(name, "of type number", value);
    if (!Number.isInteger(value))
        throw new core_1.OutOfRangeError(name, "an integer", value);
    if (value < min || value > max)
        throw new core_1.OutOfRangeError(name, `>= ${min} && <= ${max}`, value);
    return value;
}
/** An element index below `length`. */
function checkIndex(value, name, length) {
    if (typeof value !== "number")
        throw new core_1.InvalidArgTypeError(name, "of type number", value);
    if (!Number.isInteger(value) || value < 0 || value >= length) {
        throw new core_1.OutOfRangeError(name, length === 0
            ? "an index into the vector, which is empty"
            : `an integer >= 0 && < ${length} (the length)`, value);
    }
    return value;
}
/**
 * A position as `TypedArray#fill` or `#indexOf` take it: an integer (or ±Infinity), negative
 * counting from the end, clamped to [0, length]; `fallback` when `undefined`.
 */
function checkRelativePosition(value, name, length, fallback) {
    if (value === undefined)
        return fallback;
    if (typeof value !== "number")
        throw new core_1.InvalidArgTypeError(name, "of type number", value);
    if (Number.isNaN(value) || (Number.isFinite(value) && !Number.isInteger(value))) {
        throw new core_1.OutOfRangeError(name, "an integer (negative counts from the end)", value);
    }
    return value < 0 ? Math.max(length + value, 0) : Math.min(value, length);
}
/** A function or `undefined`. */
function checkOptionalFunction(value, name) {
    if (value !== undefined && typeof value !== "function") {
        throw new core_1.InvalidArgTypeError(name, "of type function", value);
    }
    return value;
}
//# sourceMappingURL=argument-checks.js.map