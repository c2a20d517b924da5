"use strict";
// `LargeVec<T>`: a growable vector of typed-array elements (docs/collections-api.md).
//
// Storage: below 2 MiB (the smallest region) an ordinary ArrayBuffer on the JS heap; from
// 2 MiB on a pooled `Region` of @lgalloc/core, whose capacity is a power of two. Growing
// doubles the capacity, copies with `TypedArray#set` and releases the old storage at once:
// a region is disposed, a heap buffer detached, so that a view taken before the move has
// length 0 instead of showing stale data. The core's region is the only owner of pooled
// memory; when a vector is dropped without `dispose`, its region's buffer being collected
// returns the region to the pool (no finalizer here, so nothing can be released twice).
//
// Speed: `push`, `get`, `set` and `pop` keep the first typed array (`#array`) in a field and
// take a fast path of one or two comparisons and one typed-array access; everything else
// (growth, conversion of non-primitive values, errors, disposal, storage beyond 2^32
// elements) is on slow paths in separate methods. A disposed vector has `#length` and
// `#fast` 0, so the fast paths fail over to the slow ones, which throw.
//
// Errors never lose data: every operation validates and converts its arguments (which may
// run user `valueOf` code) before it changes anything, and allocates new storage before it
// releases the old.
var _a;
Object.defineProperty(exports, "__esModule", { value: true });
exports.LargeVec = void 0;
const node_util_1 = require("node:util");
const core_1 = require("@lgalloc/core");
const argument_checks_1 = require("./argument-checks");
const chunked_views_1 = require("./chunked-views");
const element_kinds_1 = require("./element-kinds");
/** Brand shared by every copy of this package, so `isLargeVec` works across duplicates. */
const BRAND = Symbol.for("lgalloc.LargeVec");
const TOKEN_KIND = "lgalloc.LargeVecToken";
/** Fewest elements a growing vector allocates. */
const MIN_GROWTH = 8;
/** Elements per step of a reversal longer than one typed array. */
const REVERSE_BLOCK = 2 ** 20;
/** Largest block of converted elements `extend` collects from an iterable at a time. */
const MAX_EXTEND_BLOCK = 2 ** 20;
/** Values shown by `toString` / `util.inspect`. */
const SHOWN_VALUES = 10;
/** A private key: only this module can ask the constructor for `Init.Unsafe` / `Capacity`. */
const INIT_KEY = Symbol("LargeVec init");
function disposedError(operation) {
    return new core_1.LgallocError("ERR_LGALLOC_DISPOSED", `Cannot ${operation}: the LargeVec was disposed or transferred`);
}
function invalidToken(reason) {
    return new core_1.LgallocError("ERR_LGALLOC_INVALID_TOKEN", `The token is malformed: ${reason}`);
}
/**
 * Detaches a heap ArrayBuffer, so that every view of it has length 0, without copying:
 * Node 20 has no `ArrayBuffer#transfer`, but a transferring structured clone moves the
 * memory to a new buffer (dropped here) and leaves the original detached.
 */
function detach(buffer) {
    // A detached buffer has byteLength 0, and a zero-length one holds nothing worth hiding.
    if (buffer.byteLength === 0)
        return undefined;
    return structuredClone(buffer, { transfer: [buffer] });
}
function isDetached(buffer) {
    try {
        new Uint8Array(buffer, 0, 0);
        return false;
    }
    catch {
        return true;
    }
}
function isPositiveZero(value) {
    return value === 0n || (value === 0 && 1 / value > 0);
}
function formatElement(value) {
    if (typeof value === "bigint")
        return `${value}n`;
    return Object.is(value, -0) ? "-0" : String(value);
}
/**
 * A growable vector of `T` elements (one of the 11 typed array types) on the JS heap while
 * small and on pooled lgalloc regions from 2 MiB on, up to 64 GiB.
 *
 * Every method and getter of a disposed (or transferred) vector throws `LgallocError`
 * `ERR_LGALLOC_DISPOSED`, except `dispose` (a no-op) and `disposed`. After any error the
 * vector is unchanged and usable.
 */
class LargeVec {
    #kind;
    /** `typeof` an element; the fast paths compare against it. */
    #primitive;
    /** The first chunk of the storage (all of it unless it holds more than 2^32 elements). */
    #array;
    /** Elements `#array` covers; 0 once disposed, so that every fast path fails over. */
    #fast;
    /** Views covering the whole capacity; `[#array]` unless longer than 2^32 elements. */
    #chunks;
    #length = 0;
    /** In elements. */
    #capacity = 0;
    #buffer;
    #region = undefined;
    /** Elements at or after `max(#dirtyEnd, #length)` are zero, so growing needs no zeroing. */
    #dirtyEnd = 0;
    #disposed = false;
    constructor(elementType, length = 0, key, init) {
        const kind = (0, element_kinds_1.elementKindOf)(elementType, "elementType");
        const max = core_1.MAX_REGION_BYTES / kind.bytesPerElement;
        const count = (0, argument_checks_1.checkInteger)(length, key === INIT_KEY && init === 2 /* Init.Capacity */ ? "capacity" : "length", 0, max);
        const mode = key === INIT_KEY && init !== undefined ? init : 0 /* Init.Zero */;
        this.#kind = kind;
        this.#primitive = kind.primitive;
        const storage = count === 0 ? emptyStorage() : newStorage(kind, count);
        this.#chunks = (0, chunked_views_1.chunkViews)(kind.Ctor, storage.buffer, storage.capacity);
        this.#array = this.#chunks[0];
        this.#fast = this.#array.length;
        this.#buffer = storage.buffer;
        this.#region = storage.region;
        this.#capacity = storage.capacity;
        if (mode === 2 /* Init.Capacity */) {
            this.#dirtyEnd = storage.knownZero ? 0 : storage.capacity;
        }
        else {
            if (mode === 0 /* Init.Zero */ && !storage.knownZero)
                this.#zeroRange(0, count);
            this.#dirtyEnd = storage.knownZero ? 0 : storage.capacity;
            this.#length = count;
        }
        Object.defineProperty(this, BRAND, { value: true });
    }
    /** An empty vector with room for `capacity` elements. */
    static withCapacity(elementType, capacity) {
        return new _a(elementType, capacity, INIT_KEY, 2 /* Init.Capacity */);
    }
    /**
     * `length` elements whose contents are arbitrary, like `Buffer.allocUnsafe`: they may hold
     * bytes earlier users of the pool left behind (never bytes of another live owner). Write
     * every element before reading it, and never hand such a vector to code that trusts its
     * contents (it may disclose old data of this process).
     */
    static allocUnsafe(elementType, length) {
        return new _a(elementType, length, INIT_KEY, 1 /* Init.Unsafe */);
    }
    /** A vector holding a copy of `source`: a typed array, an array-like or an iterable. */
    static from(elementType, source) {
        // Room for exactly the elements when their number is known up front.
        const known = (0, element_kinds_1.isTypedArray)(source) || Array.isArray(source) ? source.length : 0;
        const vec = _a.withCapacity(elementType, known);
        try {
            vec.#extend(source);
        }
        catch (error) {
            vec.dispose();
            throw error;
        }
        return vec;
    }
    /** True for a `LargeVec` of any copy of this package. */
    static isLargeVec(value) {
        return (typeof value === "object" &&
            value !== null &&
            Object.prototype.hasOwnProperty.call(value, BRAND));
    }
    /**
     * Takes over a vector moved with `transfer()` (on any thread). A token works once.
     *
     * @throws `LgallocError` `ERR_LGALLOC_INVALID_TOKEN` for a malformed, spent or unknown token.
     */
    static adopt(token) {
        if (typeof token !== "object" || token === null) {
            throw invalidToken(`expected a LargeVecToken object. Received ${typeof token}`);
        }
        const fields = token;
        if (fields.kind !== TOKEN_KIND)
            throw invalidToken(`expected kind "${TOKEN_KIND}"`);
        const kind = (0, element_kinds_1.elementKindNamed)(fields.elementType);
        if (kind === undefined) {
            throw invalidToken("elementType is not the name of a typed array constructor");
        }
        const length = fields.length;
        const max = core_1.MAX_REGION_BYTES / kind.bytesPerElement;
        if (typeof length !== "number" || !Number.isInteger(length) || length < 0 || length > max) {
            throw invalidToken("length is not an element count");
        }
        const bytes = length * kind.bytesPerElement;
        const { region: regionToken, heap } = fields;
        let storage;
        if (regionToken !== undefined && heap === undefined) {
            const region = (0, core_1.adopt)(regionToken);
            if (region.capacity < bytes) {
                region.dispose();
                throw invalidToken("its region is smaller than its length");
            }
            storage = {
                buffer: region.buffer,
                region,
                capacity: region.capacity / kind.bytesPerElement,
                knownZero: false,
            };
        }
        else if (heap instanceof ArrayBuffer && regionToken === undefined) {
            if (isDetached(heap))
                throw invalidToken("its heap buffer was already adopted or sent");
            if (heap.byteLength < bytes || heap.byteLength >= core_1.MIN_REGION_BYTES) {
                throw invalidToken("its heap buffer does not match its length");
            }
            // Take the buffer over (detaching the token's), so that the token works once.
            const buffer = detach(heap) ?? new ArrayBuffer(0);
            storage = {
                buffer,
                region: undefined,
                capacity: Math.floor(buffer.byteLength / kind.bytesPerElement),
                knownZero: false,
            };
        }
        else {
            throw invalidToken("expected either a region token or a heap ArrayBuffer");
        }
        const vec = _a.withCapacity(kind.Ctor, 0);
        vec.#install(storage);
        vec.#length = length;
        return vec;
    }
    // ---- Properties ------------------------------------------------------------------
    /** Elements in the vector. */
    get length() {
        if (this.#disposed)
            throw disposedError("read length");
        return this.#length;
    }
    /** Elements the current storage holds without reallocating. */
    get capacity() {
        if (this.#disposed)
            throw disposedError("read capacity");
        return this.#capacity;
    }
    /** `"heap"` below 2 MiB, `"pooled"` on an lgalloc region. */
    get storage() {
        if (this.#disposed)
            throw disposedError("read storage");
        return this.#region === undefined ? "heap" : "pooled";
    }
    /** The typed array constructor of the elements. */
    get elementType() {
        if (this.#disposed)
            throw disposedError("read elementType");
        return this.#kind.Ctor;
    }
    get BYTES_PER_ELEMENT() {
        if (this.#disposed)
            throw disposedError("read BYTES_PER_ELEMENT");
        return this.#kind.bytesPerElement;
    }
    /** `length * BYTES_PER_ELEMENT`. */
    get byteLength() {
        if (this.#disposed)
            throw disposedError("read byteLength");
        return this.#length * this.#kind.bytesPerElement;
    }
    /** True after `dispose()` or `transfer()`. */
    get disposed() {
        return this.#disposed;
    }
    push(value) {
        const length = this.#length;
        const array = this.#array;
        if (length < array.length && arguments.length === 1 && typeof value === this.#primitive) {
            array[length] = value;
            return (this.#length = length + 1);
        }
        return this.#pushSlow(arguments);
    }
    /** Removes and returns the last element; `undefined` if empty. */
    pop() {
        const length = this.#length;
        if (length > 0 && length <= this.#fast) {
            if (length > this.#dirtyEnd)
                this.#dirtyEnd = length;
            this.#length = length - 1;
            return this.#array[length - 1];
        }
        return this.#popSlow();
    }
    /**
     * The element at `index`.
     *
     * @throws `RangeError` `ERR_OUT_OF_RANGE` for an index that is negative, fractional, NaN
     *   or not below `length`; `TypeError` `ERR_INVALID_ARG_TYPE` for a non-number.
     */
    get(index) {
        if (typeof index === "number" &&
            index >>> 0 === index &&
            index < this.#length &&
            index < this.#fast) {
            return this.#array[index];
        }
        return this.#getSlow(index);
    }
    /**
     * Stores `value` (converted like the typed array converts it) at `index`.
     *
     * @throws as `get` for the index; `TypeError` `ERR_INVALID_ARG_TYPE` for a value the
     *   typed array refuses (a bigint into a number kind, a number into a bigint kind).
     */
    set(index, value) {
        if (typeof value === this.#primitive &&
            typeof index === "number" &&
            index >>> 0 === index &&
            index < this.#length &&
            index < this.#fast) {
            this.#array[index] = value;
            return this;
        }
        return this.#setSlow(index, value);
    }
    /** The element at `index`, negative counting from the end; `undefined` if out of range. */
    at(index) {
        this.#live("call at()");
        if (typeof index !== "number")
            throw new core_1.InvalidArgTypeError("index", "of type number", index);
        if (Number.isNaN(index) || (Number.isFinite(index) && !Number.isInteger(index))) {
            throw new core_1.OutOfRangeError("index", "an integer (negative counts from the end)", index);
        }
        const length = this.#length;
        const position = index < 0 ? length + index : index;
        if (position < 0 || position >= length)
            return undefined;
        return this.#read(position);
    }
    // ---- Length and capacity ---------------------------------------------------------
    /** Makes room for at least `additional` more elements (amortized: it may double). */
    reserve(additional) {
        this.#live("reserve");
        const more = (0, argument_checks_1.checkInteger)(additional, "additional", 0, Number.MAX_SAFE_INTEGER);
        const max = this.#maxLength();
        if (more > max - this.#length) {
            throw new core_1.OutOfRangeError("additional", `<= ${max - this.#length} (64 GiB of elements)`, more);
        }
        this.#ensure(this.#length + more);
    }
    /** Sets the length to `length`; new elements are `fill` (converted) or zero. */
    resize(length, fill) {
        this.#live("resize");
        const target = (0, argument_checks_1.checkInteger)(length, "length", 0, this.#maxLength());
        const value = fill === undefined ? undefined : (0, element_kinds_1.convertElement)(this.#kind, fill, "fill");
        this.#live("resize");
        const current = this.#length;
        if (target <= current) {
            this.#shorten(target);
            return;
        }
        this.#ensure(target);
        if (value === undefined || isPositiveZero(value)) {
            this.#zeroRange(current, Math.min(target, Math.max(current, this.#dirtyEnd)));
        }
        else {
            this.#fillRange(value, current, target);
        }
        this.#length = target;
    }
    /** Shortens the vector to `length` elements; no-op if `length >= this.length`. */
    truncate(length) {
        this.#live("truncate");
        this.#shorten((0, argument_checks_1.checkInteger)(length, "length", 0, Number.MAX_SAFE_INTEGER));
    }
    /** Removes every element (keeps the capacity). */
    clear() {
        this.#live("clear");
        this.#shorten(0);
    }
    /** Moves to the smallest storage that holds `length` elements (the heap below 2 MiB). */
    shrinkToFit() {
        this.#live("shrinkToFit");
        const length = this.#length;
        const bytes = length * this.#kind.bytesPerElement;
        if (bytes < core_1.MIN_REGION_BYTES) {
            if (this.#region === undefined && this.#capacity === length)
                return;
            this.#replaceStorage(length === 0 ? emptyStorage() : newStorage(this.#kind, length));
            return;
        }
        if (this.#region !== undefined && this.#region.capacity === (0, core_1.sizeClassOf)(bytes))
            return;
        this.#replaceStorage(newStorage(this.#kind, length));
    }
    // ---- Bulk operations -------------------------------------------------------------
    /**
     * Appends the elements of a typed array (one `set`), an array-like or an iterable; the new
     * length. On error (a value the typed array refuses, an iterator that throws) nothing is
     * appended.
     */
    extend(source) {
        this.#live("extend");
        return this.#extend(source);
    }
    /** Sets elements [start, end) to `value`; negative positions count from the end. */
    fill(value, start, end) {
        this.#live("fill");
        (0, argument_checks_1.checkRelativePosition)(start, "start", 0, 0);
        (0, argument_checks_1.checkRelativePosition)(end, "end", 0, 0);
        const converted = (0, element_kinds_1.convertElement)(this.#kind, value, "value");
        this.#live("fill");
        const length = this.#length;
        const from = (0, argument_checks_1.checkRelativePosition)(start, "start", length, 0);
        const to = (0, argument_checks_1.checkRelativePosition)(end, "end", length, length);
        if (from < to)
            this.#fillRange(converted, from, to);
        return this;
    }
    /** The first index of `value` (strict equality, like `TypedArray#indexOf`), or -1. */
    indexOf(value, fromIndex) {
        this.#live("call indexOf()");
        const length = this.#length;
        const from = (0, argument_checks_1.checkRelativePosition)(fromIndex, "fromIndex", length, 0);
        if (length <= this.#fast)
            return this.#array.subarray(0, length).indexOf(value, from);
        let found = -1;
        (0, chunked_views_1.forEachSpan)(this.#chunks, from, length, (chunk, start, end, base) => {
            const at = chunk.subarray(0, end).indexOf(value, start);
            if (at >= 0)
                found = base + at;
            return at >= 0;
        });
        return found;
    }
    /** True if the vector holds `value` (SameValueZero, so NaN is found). */
    includes(value, fromIndex) {
        this.#live("call includes()");
        const length = this.#length;
        const from = (0, argument_checks_1.checkRelativePosition)(fromIndex, "fromIndex", length, 0);
        if (length <= this.#fast)
            return this.#array.subarray(0, length).includes(value, from);
        let found = false;
        (0, chunked_views_1.forEachSpan)(this.#chunks, from, length, (chunk, start, end) => {
            found = chunk.subarray(0, end).includes(value, start);
            return found;
        });
        return found;
    }
    /**
     * Sorts in place, numerically by default, like `TypedArray#sort`. If `compare` throws,
     * the order is unchanged.
     *
     * @throws `RangeError` `ERR_OUT_OF_RANGE` for more than 2^32 elements.
     */
    sort(compare) {
        this.#live("sort");
        const comparator = (0, argument_checks_1.checkOptionalFunction)(compare, "compare");
        const length = this.#length;
        if (length > chunked_views_1.MAX_VIEW_ELEMENTS) {
            throw new core_1.OutOfRangeError("length", `<= ${chunked_views_1.MAX_VIEW_ELEMENTS} to sort (a typed array holds at most 2^32 elements)`, length);
        }
        this.#viewUnchecked(0, length).sort(comparator);
        return this;
    }
    /** Reverses the elements in place. */
    reverse() {
        this.#live("reverse");
        let low = 0;
        let high = this.#length;
        // Longer than a chunk (so possibly than a typed array): swap blocks from both ends, each
        // reversed, inwards, until the middle fits in one view.
        const block = Math.min(REVERSE_BLOCK, chunked_views_1.CHUNK_ELEMENTS / 2);
        while (high - low > chunked_views_1.CHUNK_ELEMENTS) {
            const left = this.#viewUnchecked(low, low + block);
            const right = this.#viewUnchecked(high - block, high);
            const saved = left.slice();
            left.set(right);
            left.reverse();
            right.set(saved);
            right.reverse();
            low += block;
            high -= block;
        }
        this.#viewUnchecked(low, high).reverse();
        return this;
    }
    // ---- Iteration -------------------------------------------------------------------
    /** The elements, in order (throws `ERR_LGALLOC_DISPOSED` if disposed meanwhile). */
    values() {
        this.#live("call values()");
        return new _a.#Iterator(this, 0 /* Iteration.Values */);
    }
    /** The indices 0 .. length - 1. */
    keys() {
        this.#live("call keys()");
        return new _a.#Iterator(this, 1 /* Iteration.Keys */);
    }
    /** `[index, element]` pairs. */
    entries() {
        this.#live("call entries()");
        return new _a.#Iterator(this, 2 /* Iteration.Entries */);
    }
    [Symbol.iterator]() {
        this.#live("iterate");
        return new _a.#Iterator(this, 0 /* Iteration.Values */);
    }
    // ---- Typed arrays ----------------------------------------------------------------
    /**
     * A copy of the elements on the JS heap.
     *
     * @throws `RangeError` `ERR_OUT_OF_RANGE` for more than 2^32 elements.
     */
    toTypedArray() {
        this.#live("call toTypedArray()");
        const length = this.#length;
        if (length > chunked_views_1.MAX_VIEW_ELEMENTS) {
            throw new core_1.OutOfRangeError("length", `<= ${chunked_views_1.MAX_VIEW_ELEMENTS} for toTypedArray() (a typed array holds at most 2^32 elements)`, length);
        }
        return this.#viewUnchecked(0, length).slice();
    }
    /**
     * A typed array over elements [start, end), without a copy. Valid until the vector next
     * reallocates (grows past its capacity, `shrinkToFit`) or is disposed; after that it has
     * length 0 (its storage was detached), never showing freed or reused memory.
     *
     * @throws `RangeError` `ERR_OUT_OF_RANGE` for positions outside [0, length], `end < start`,
     *   or a range of more than 2^32 elements.
     */
    view(start = 0, end) {
        this.#live("create a view");
        const length = this.#length;
        const from = (0, argument_checks_1.checkInteger)(start, "start", 0, length);
        const to = end === undefined ? length : (0, argument_checks_1.checkInteger)(end, "end", from, length);
        if (to - from > chunked_views_1.MAX_VIEW_ELEMENTS) {
            throw new core_1.OutOfRangeError("end", `<= start + ${chunked_views_1.MAX_VIEW_ELEMENTS} (a typed array holds at most 2^32 elements)`, to);
        }
        return this.#viewUnchecked(from, to);
    }
    // ---- Lifetime --------------------------------------------------------------------
    /**
     * Releases the storage: a region goes back to the pool, a heap buffer is detached; every
     * view becomes length 0. Calling it again does nothing.
     */
    dispose() {
        if (this.#disposed)
            return;
        this.#disposed = true;
        this.#releaseStorage();
        const empty = emptyStorage();
        this.#array = new this.#kind.Ctor(empty.buffer, 0, 0);
        this.#chunks = [this.#array];
        this.#buffer = empty.buffer;
        this.#region = undefined;
        this.#fast = 0;
        this.#length = 0;
        this.#capacity = 0;
        this.#dirtyEnd = 0;
    }
    [Symbol.dispose]() {
        this.dispose();
    }
    /**
     * Moves the vector out of this thread: pooled storage without a copy (the region's
     * token), heap storage as a copy in the token. This vector is disposed afterwards. Send
     * the token with `port.postMessage(token, token.transferList)` and `LargeVec.adopt` it.
     */
    transfer() {
        this.#live("transfer");
        const length = this.#length;
        let region;
        let heap;
        if (this.#region !== undefined) {
            region = this.#region.transfer();
            this.#region = undefined;
        }
        else {
            heap = this.#buffer.slice(0, length * this.#kind.bytesPerElement);
        }
        const transferList = Object.freeze(region !== undefined ? [...region.transferList] : [heap]);
        const token = Object.freeze({
            kind: TOKEN_KIND,
            elementType: this.#kind.name,
            length,
            region,
            heap,
            transferList,
        });
        this.dispose();
        return token;
    }
    // ---- Display ---------------------------------------------------------------------
    /** `LargeVec<Float64Array>(length=3, capacity=262144, storage=pooled) [1, 2, 3]`. */
    toString() {
        this.#live("call toString()");
        const length = this.#length;
        const shown = [];
        for (let i = 0; i < Math.min(length, SHOWN_VALUES); i++)
            shown.push(formatElement(this.#read(i)));
        if (length > SHOWN_VALUES)
            shown.push("...");
        return `LargeVec<${this.#kind.name}>(length=${length}, capacity=${this.#capacity}, storage=${this.#region === undefined ? "heap" : "pooled"}) [${shown.join(", ")}]`;
    }
    /** As `toString`; a disposed vector shows as `LargeVec<Float64Array>(disposed)`. */
    [node_util_1.inspect.custom]() {
        // `LargeVec.prototype` and objects inheriting from a vector are no vectors.
        if (!(#disposed in this))
            return "LargeVec {}";
        return this.#disposed ? `LargeVec<${this.#kind.name}>(disposed)` : this.toString();
    }
    // ---- Slow paths and internals ----------------------------------------------------
    #live(operation) {
        if (this.#disposed)
            throw disposedError(operation);
    }
    #maxLength() {
        return core_1.MAX_REGION_BYTES / this.#kind.bytesPerElement;
    }
    #pushSlow(values) {
        this.#live("push");
        const count = values.length;
        if (count === 0)
            return this.#length;
        // Convert every value first: a `valueOf` may run user code, even touch this vector.
        const converted = [];
        for (let i = 0; i < count; i++) {
            converted.push((0, element_kinds_1.convertElement)(this.#kind, values[i], count === 1 ? "value" : `values[${i}]`));
        }
        this.#live("push");
        const length = this.#length;
        if (count > this.#maxLength() - length) {
            throw new core_1.OutOfRangeError("length", `<= ${this.#maxLength()} (64 GiB of elements)`, length + count);
        }
        this.#ensure(length + count);
        for (let i = 0; i < count; i++)
            this.#write(length + i, converted[i]);
        return (this.#length = length + count);
    }
    #popSlow() {
        this.#live("pop");
        const length = this.#length;
        if (length === 0)
            return undefined;
        const value = this.#read(length - 1);
        if (length > this.#dirtyEnd)
            this.#dirtyEnd = length;
        this.#length = length - 1;
        return value;
    }
    #getSlow(index) {
        this.#live("get");
        return this.#read((0, argument_checks_1.checkIndex)(index, "index", this.#length));
    }
    #setSlow(index, value) {
        this.#live("set");
        (0, argument_checks_1.checkIndex)(index, "index", this.#length);
        const converted = (0, element_kinds_1.convertElement)(this.#kind, value, "value");
        // The conversion may have run user code that shortened or disposed the vector.
        this.#live("set");
        this.#write((0, argument_checks_1.checkIndex)(index, "index", this.#length), converted);
        return this;
    }
    #read(index) {
        if (index < this.#fast)
            return this.#array[index];
        const chunk = (0, chunked_views_1.chunkIndex)(index);
        return this.#chunks[chunk][index - chunk * chunked_views_1.CHUNK_ELEMENTS];
    }
    #write(index, value) {
        if (index < this.#fast) {
            this.#array[index] = value;
        }
        else {
            const chunk = (0, chunked_views_1.chunkIndex)(index);
            this.#chunks[chunk][index - chunk * chunked_views_1.CHUNK_ELEMENTS] = value;
        }
    }
    /** A view of [start, end) (at most 2^32 elements) of the current storage. */
    #viewUnchecked(start, end) {
        const Ctor = this.#kind.Ctor;
        return new Ctor(this.#buffer, start * this.#kind.bytesPerElement, end - start);
    }
    #shorten(length) {
        const current = this.#length;
        if (length >= current)
            return;
        if (current > this.#dirtyEnd)
            this.#dirtyEnd = current;
        this.#length = length;
    }
    #zeroRange(start, end) {
        if (start < end)
            this.#fillRange(this.#primitive === "bigint" ? 0n : 0, start, end);
    }
    #fillRange(value, start, end) {
        if (end <= this.#fast) {
            this.#array.fill(value, start, end);
            return;
        }
        (0, chunked_views_1.forEachSpan)(this.#chunks, start, end, (chunk, from, to) => {
            chunk.fill(value, from, to);
        });
    }
    /** Copies the typed array `source` to elements [at, at + source.length). */
    #writeTyped(at, source) {
        const end = at + source.length;
        if (end <= this.#fast) {
            this.#array.set(source, at);
            return;
        }
        (0, chunked_views_1.forEachSpan)(this.#chunks, at, end, (chunk, from, to, base) => {
            chunk.set(source.subarray(base + from - at, base + to - at), from);
        });
    }
    #extend(source) {
        if ((0, element_kinds_1.isTypedArray)(source))
            return this.#extendTyped(source);
        if (source instanceof _a && !source.#disposed && source.#length <= chunked_views_1.MAX_VIEW_ELEMENTS) {
            return this.#extendTyped(source.#viewUnchecked(0, source.#length));
        }
        if (typeof source !== "object" || source === null) {
            throw new core_1.InvalidArgTypeError("source", "a typed array, an array-like object or an iterable", source);
        }
        const blocks = this.#convertAll(source);
        this.#live("extend");
        let count = 0;
        for (const block of blocks)
            count += block.length;
        const length = this.#length;
        if (count > this.#maxLength() - length) {
            throw new core_1.OutOfRangeError("source", `at most ${this.#maxLength() - length} elements long`, count);
        }
        this.#ensure(length + count);
        let at = length;
        for (const block of blocks) {
            this.#writeTyped(at, block);
            at += block.length;
        }
        return (this.#length = at);
    }
    #extendTyped(source) {
        if ((0, element_kinds_1.holdsBigInts)(source) !== (this.#primitive === "bigint")) {
            throw new core_1.InvalidArgTypeError("source", this.#primitive === "bigint"
                ? "a BigInt64Array or BigUint64Array (typed arrays cannot mix bigints and numbers)"
                : "a typed array of numbers (typed arrays cannot mix bigints and numbers)", source);
        }
        const count = source.length;
        const length = this.#length;
        if (count > this.#maxLength() - length) {
            throw new core_1.OutOfRangeError("source", `at most ${this.#maxLength() - length} elements long`, count);
        }
        let from = source;
        // A view of this very storage would be detached by the growth: copy it first.
        if (length + count > this.#capacity && from.buffer === this.#buffer)
            from = from.slice();
        this.#ensure(length + count);
        this.#writeTyped(length, from);
        return (this.#length = length + count);
    }
    /** The elements of an array-like or iterable, converted, in typed arrays of this kind. */
    #convertAll(source) {
        const kind = this.#kind;
        const Ctor = kind.Ctor;
        if (Array.isArray(source)) {
            try {
                // The typed array constructor converts a whole array natively.
                return [new Ctor(source)];
            }
            catch (error) {
                // Name the element that failed.
                for (let i = 0; i < source.length; i++)
                    (0, element_kinds_1.convertElement)(kind, source[i], `source[${i}]`);
                throw (0, element_kinds_1.conversionError)(kind, "source", source, error);
            }
        }
        const blocks = [];
        const iterator = source[Symbol.iterator];
        if (typeof iterator === "function") {
            let block = new Ctor(new ArrayBuffer(1024 * kind.bytesPerElement));
            let filled = 0;
            let index = 0;
            for (const value of source) {
                if (filled === block.length) {
                    blocks.push(block);
                    const size = Math.min(block.length * 2, MAX_EXTEND_BLOCK);
                    block = new Ctor(new ArrayBuffer(size * kind.bytesPerElement));
                    filled = 0;
                }
                try {
                    block[filled] = value;
                }
                catch (error) {
                    throw (0, element_kinds_1.conversionError)(kind, `source[${index}]`, value, error);
                }
                filled++;
                index++;
            }
            blocks.push(block.subarray(0, filled));
            return blocks;
        }
        const length = source.length;
        if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
            throw new core_1.InvalidArgTypeError("source", "a typed array, an array-like object or an iterable", source);
        }
        const items = source;
        for (let start = 0; start < length; start += MAX_EXTEND_BLOCK) {
            const size = Math.min(MAX_EXTEND_BLOCK, length - start);
            const block = new Ctor(new ArrayBuffer(size * kind.bytesPerElement));
            for (let i = 0; i < size; i++) {
                const value = items[start + i];
                try {
                    block[i] = value;
                }
                catch (error) {
                    throw (0, element_kinds_1.conversionError)(kind, `source[${start + i}]`, value, error);
                }
            }
            blocks.push(block);
        }
        return blocks;
    }
    /** Grows so that `required` elements fit: the rare slow path of `push` and friends. */
    #ensure(required) {
        if (required <= this.#capacity)
            return;
        const max = this.#maxLength();
        if (required > max) {
            throw new core_1.OutOfRangeError("length", `<= ${max} (64 GiB of elements)`, required);
        }
        const target = Math.min(max, Math.max(required, this.#capacity * 2, MIN_GROWTH));
        this.#replaceStorage(newStorage(this.#kind, target));
    }
    /** Copies the elements into `next`, releases the current storage and installs `next`. */
    #replaceStorage(next) {
        const length = this.#length;
        const chunks = (0, chunked_views_1.chunkViews)(this.#kind.Ctor, next.buffer, next.capacity);
        if (length > 0) {
            // Chunks have the same size in both storages, so chunk c copies into chunk c.
            (0, chunked_views_1.forEachSpan)(this.#chunks, 0, length, (chunk, from, to, base) => {
                chunks[base / chunked_views_1.CHUNK_ELEMENTS].set(chunk.subarray(from, to), from);
            });
        }
        this.#releaseStorage();
        this.#install(next, chunks);
    }
    #install(storage, chunks) {
        this.#chunks =
            chunks ??
                (0, chunked_views_1.chunkViews)(this.#kind.Ctor, storage.buffer, storage.capacity);
        this.#array = this.#chunks[0];
        this.#fast = this.#array.length;
        this.#buffer = storage.buffer;
        this.#region = storage.region;
        this.#capacity = storage.capacity;
        this.#dirtyEnd = storage.knownZero ? 0 : storage.capacity;
    }
    #releaseStorage() {
        if (this.#region !== undefined) {
            this.#region.dispose();
        }
        else {
            detach(this.#buffer);
        }
    }
    /**
     * The iterator of `values()`, `keys()` and `entries()`. A class inside the class body, so
     * that it reads the vector's private fields: each step checks the current length and
     * storage, like an Array iterator (elements pushed meanwhile are visited; once done, it
     * stays done); a vector disposed meanwhile makes `next()` throw `ERR_LGALLOC_DISPOSED`.
     */
    static #Iterator = class LargeVecIterator {
        #vec;
        #what;
        #index = 0;
        #done = false;
        constructor(vec, what) {
            this.#vec = vec;
            this.#what = what;
        }
        next() {
            const vec = this.#vec;
            if (this.#done)
                return { value: undefined, done: true };
            if (vec.#disposed)
                throw disposedError("iterate");
            const index = this.#index;
            if (index >= vec.#length) {
                this.#done = true;
                return { value: undefined, done: true };
            }
            this.#index = index + 1;
            const what = this.#what;
            if (what === 1 /* Iteration.Keys */)
                return { value: index, done: false };
            const value = index < vec.#fast ? vec.#array[index] : vec.#read(index);
            return { value: (what === 0 /* Iteration.Values */ ? value : [index, value]), done: false };
        }
        [Symbol.iterator]() {
            return this;
        }
        get [Symbol.toStringTag]() {
            return "LargeVec Iterator";
        }
    };
}
exports.LargeVec = LargeVec;
_a = LargeVec;
/** Storage for at least `capacity` (> 0) elements: exact on the heap, a region from 2 MiB. */
function newStorage(kind, capacity) {
    const bytes = capacity * kind.bytesPerElement;
    if (bytes < core_1.MIN_REGION_BYTES) {
        return { buffer: new ArrayBuffer(bytes), region: undefined, capacity, knownZero: true };
    }
    const region = (0, core_1.allocate)(bytes);
    return {
        buffer: region.buffer,
        region,
        capacity: region.capacity / kind.bytesPerElement,
        knownZero: region.knownZero,
    };
}
function emptyStorage() {
    return { buffer: new ArrayBuffer(0), region: undefined, capacity: 0, knownZero: true };
}
//# sourceMappingURL=large-vec.js.map