// Tests of LargeVec (docs/collections-api.md): construction, element access with the typed
// arrays' conversions, length and capacity, bulk operations, iteration, views, heap and
// pooled storage, disposal and `using`, transfer/adopt within a thread, branding and
// display; every error path with its class and code, and the promise that after an error
// the vector is unchanged and usable. Each group runs for all 11 element kinds where the
// kind matters.

import { inspect } from "node:util";
import { expect } from "chai";
import {
  InvalidArgTypeError,
  LgallocError,
  OutOfRangeError,
  allocate,
  config,
  configure,
  sizeClassOf,
  stats,
  type TypedArray,
  type TypedArrayConstructor,
} from "@lgalloc/core";
import { LargeVec, type LargeVecToken } from "@lgalloc/collections";
import { MiB, expectArgError, expectError } from "./support";
import {
  KINDS,
  convert,
  elements,
  kindOf,
  sameElement,
  typedOrder,
  zero,
  type Element,
  type Kind,
} from "./support/large-vec";

type AnyVec = LargeVec<TypedArray>;

/** A vector of `kind` holding `values` (converted). */
function vecOf(k: Kind, values: readonly unknown[]): AnyVec {
  return LargeVec.from(k.Ctor, values as unknown[]);
}

/** Elements that take at least `bytes` bytes. */
function countFor(k: Kind, bytes: number): number {
  return Math.ceil(bytes / k.bytes);
}

function expectDisposedError(fn: () => unknown): void {
  expectError(fn, { type: LgallocError, code: "ERR_LGALLOC_DISPOSED" });
}

/** Runs `fn`, which must throw; then the vector must still hold `expected` and work. */
function expectUnchanged(vec: AnyVec, expected: readonly Element[], fn: () => unknown): void {
  expect(fn).to.throw();
  expect(elements(vec)).to.deep.equal(expected);
  const k = kindOf(vec.elementType);
  const extra = k.plain[0]!;
  vec.push(extra);
  expect(vec.get(vec.length - 1)).to.equal(extra);
  vec.pop();
}

describe("LargeVec", () => {
  describe("construction", () => {
    for (const k of KINDS) {
      it(`new LargeVec(${k.name}, n) holds n zeros on the heap`, () => {
        using vec = new LargeVec(k.Ctor, 5);
        expect(vec.length).to.equal(5);
        expect(vec.capacity).to.equal(5);
        expect(vec.storage).to.equal("heap");
        expect(vec.elementType).to.equal(k.Ctor);
        expect(vec.BYTES_PER_ELEMENT).to.equal(k.bytes);
        expect(vec.byteLength).to.equal(5 * k.bytes);
        expect(elements(vec)).to.deep.equal(new Array(5).fill(zero(k)));
        expect(vec.disposed).to.equal(false);
      });

      it(`LargeVec.from(${k.name}, ...) converts like the typed array does`, () => {
        const reference = [
          ...(new (k.Ctor as unknown as new (a: unknown[]) => ArrayLike<Element>)(
            k.inputs as unknown[],
          ) as unknown as Element[]),
        ];
        using fromArray = vecOf(k, k.inputs);
        expect(elements(fromArray)).to.deep.equal(reference);
        using fromIterable = LargeVec.from(k.Ctor, new Set(k.inputs));
        expect(elements(fromIterable)).to.deep.equal(
          [...new Set(k.inputs)].map((value) => convert(k.Ctor, value)),
        );
        const arrayLike: Record<number, unknown> & { length: number } = { length: k.inputs.length };
        k.inputs.forEach((value, i) => (arrayLike[i] = value));
        using fromArrayLike = LargeVec.from(k.Ctor, arrayLike);
        expect(elements(fromArrayLike)).to.deep.equal(reference);
        using fromTyped = LargeVec.from(k.Ctor, fromArray.view());
        expect(elements(fromTyped)).to.deep.equal(reference);
        expect(fromTyped.capacity).to.equal(reference.length);
        using fromVec = LargeVec.from(k.Ctor, fromArray);
        expect(elements(fromVec)).to.deep.equal(reference);
      });

      it(`LargeVec.withCapacity(${k.name}, c) is empty with room for c`, () => {
        using small = LargeVec.withCapacity(k.Ctor, 100);
        expect([small.length, small.capacity, small.storage]).to.deep.equal([0, 100, "heap"]);
        const big = countFor(k, 3 * MiB);
        using pooled = LargeVec.withCapacity(k.Ctor, big);
        expect(pooled.length).to.equal(0);
        expect(pooled.storage).to.equal("pooled");
        expect(pooled.capacity).to.equal(sizeClassOf(big * k.bytes) / k.bytes);
      });

      it(`LargeVec.allocUnsafe(${k.name}, n) has n writable elements`, () => {
        const n = countFor(k, 2 * MiB);
        using vec = LargeVec.allocUnsafe(k.Ctor, n);
        expect(vec.length).to.equal(n);
        expect(vec.storage).to.equal("pooled");
        vec.fill(k.plain[1]!);
        expect(vec.get(0)).to.equal(k.plain[1]);
        expect(vec.get(n - 1)).to.equal(k.plain[1]);
      });
    }

    it("zero-fills a reused region that held data (knownZero false)", () => {
      const region = allocate(4 * MiB);
      region.view(Uint8Array).fill(0xab);
      region.dispose();
      // The pool hands the same dirty region out again (this thread's cache, LIFO).
      using vec = new LargeVec(Float64Array, (4 * MiB) / 8);
      const view = vec.view();
      expect(view.every((value) => value === 0)).to.equal(true);
    });

    it("zero-fills grown elements that earlier elements dirtied (resize after truncate)", () => {
      for (const n of [100, countFor(kindOf(Float64Array), 3 * MiB)]) {
        using vec = new LargeVec(Float64Array, n);
        vec.fill(7);
        vec.truncate(0);
        vec.resize(n);
        expect(vec.view().every((value) => value === 0)).to.equal(true);
        vec.fill(9, 10, 20);
        vec.pop();
        vec.truncate(15);
        vec.push(1);
        vec.resize(n);
        expect(vec.get(14)).to.equal(9);
        expect(vec.get(15)).to.equal(1);
        expect(vec.view(16).every((value) => value === 0)).to.equal(true);
      }
    });

    const notConstructors: unknown[] = [
      undefined,
      null,
      "Float64Array",
      Array,
      DataView,
      Buffer,
      class Sub extends Float64Array {},
      {},
      Float64Array.prototype,
    ];
    for (const value of notConstructors) {
      it(`new LargeVec(${inspect(value, { depth: 0 })}) throws ERR_INVALID_ARG_TYPE`, () => {
        expectError(() => new LargeVec(value as TypedArrayConstructor, 1), {
          type: InvalidArgTypeError,
          code: "ERR_INVALID_ARG_TYPE",
          message: ['"elementType"', "typed array constructor"],
        });
        expectError(() => LargeVec.withCapacity(value as TypedArrayConstructor, 1), {
          type: InvalidArgTypeError,
          code: "ERR_INVALID_ARG_TYPE",
        });
        expectError(() => LargeVec.allocUnsafe(value as TypedArrayConstructor, 1), {
          type: InvalidArgTypeError,
          code: "ERR_INVALID_ARG_TYPE",
        });
        expectError(() => LargeVec.from(value as TypedArrayConstructor, []), {
          type: InvalidArgTypeError,
          code: "ERR_INVALID_ARG_TYPE",
        });
      });
    }

    for (const [value, type, code] of [
      ["3", InvalidArgTypeError, "ERR_INVALID_ARG_TYPE"],
      [3n, InvalidArgTypeError, "ERR_INVALID_ARG_TYPE"],
      [null, InvalidArgTypeError, "ERR_INVALID_ARG_TYPE"],
      [-1, OutOfRangeError, "ERR_OUT_OF_RANGE"],
      [1.5, OutOfRangeError, "ERR_OUT_OF_RANGE"],
      [NaN, OutOfRangeError, "ERR_OUT_OF_RANGE"],
      [Infinity, OutOfRangeError, "ERR_OUT_OF_RANGE"],
      [2 ** 33 + 1, OutOfRangeError, "ERR_OUT_OF_RANGE"],
    ] as const) {
      it(`a length or capacity of ${inspect(value)} throws ${code}`, () => {
        expectArgError(
          () => new LargeVec(Float64Array, value as number),
          type,
          code,
          "length",
          value,
        );
        expectArgError(
          () => LargeVec.allocUnsafe(Float64Array, value as number),
          type,
          code,
          "length",
          value,
        );
        expectArgError(
          () => LargeVec.withCapacity(Float64Array, value as number),
          type,
          code,
          "capacity",
          value,
        );
      });
    }

    it("accepts the largest length a 64 GiB region holds in its argument check only", () => {
      // 2^33 doubles are 64 GiB: valid, but the allocation itself may fail here.
      expectError(() => new LargeVec(Float64Array, 2 ** 33 + 1), {
        type: OutOfRangeError,
        code: "ERR_OUT_OF_RANGE",
        message: ["<= 8589934592"],
      });
    });

    for (const source of [
      5,
      "abc",
      null,
      undefined,
      true,
      Symbol("s"),
      {},
      { length: -1 },
      { length: 1.5 },
    ]) {
      it(`LargeVec.from(Float64Array, ${inspect(source)}) throws ERR_INVALID_ARG_TYPE`, () => {
        expectError(() => LargeVec.from(Float64Array, source as never), {
          type: InvalidArgTypeError,
          code: "ERR_INVALID_ARG_TYPE",
          message: ['"source"'],
        });
      });
    }

    for (const k of KINDS) {
      it(`LargeVec.from(${k.name}, ...) names the element it cannot convert`, () => {
        const before = stats().liveRegions;
        expectError(() => vecOf(k, [k.plain[0], k.refused[0]]), {
          type: InvalidArgTypeError,
          code: "ERR_INVALID_ARG_TYPE",
          message: ['"source[1]"', k.bigint ? "bigint" : "number"],
        });
        expectError(() => LargeVec.from(k.Ctor, new Set([k.plain[0], k.refused[0]])), {
          type: InvalidArgTypeError,
          code: "ERR_INVALID_ARG_TYPE",
          message: ['"source[1]"'],
        });
        expect(stats().liveRegions).to.equal(before);
      });
    }
  });

  describe("element access", () => {
    for (const k of KINDS) {
      describe(k.name, () => {
        it("push, get, set, at and pop convert like the typed array", () => {
          using vec = new LargeVec(k.Ctor);
          const model: Element[] = [];
          for (const input of k.inputs) {
            expect(vec.push(input as Element)).to.equal(model.push(convert(k.Ctor, input)));
          }
          expect(elements(vec)).to.deep.equal(model);
          k.inputs.forEach((input, i) => {
            const index = k.inputs.length - 1 - i;
            expect(vec.set(index, input as Element)).to.equal(vec);
            model[index] = convert(k.Ctor, input);
          });
          expect(elements(vec)).to.deep.equal(model);
          expect(sameElement(vec.at(-1), model[model.length - 1])).to.equal(true);
          expect(sameElement(vec.at(0), model[0])).to.equal(true);
          expect(vec.at(model.length)).to.equal(undefined);
          expect(vec.at(-model.length - 1)).to.equal(undefined);
          expect(vec.at(Infinity)).to.equal(undefined);
          while (model.length > 0) expect(sameElement(vec.pop(), model.pop())).to.equal(true);
          expect(vec.pop()).to.equal(undefined);
          expect(vec.length).to.equal(0);
        });

        it("push with several values appends all or, on a bad one, none", () => {
          using vec = vecOf(k, [k.plain[0]]);
          expect(vec.push(k.plain[1]!, k.plain[2]!, k.plain[3]!)).to.equal(4);
          expect(vec.push()).to.equal(4);
          expect(elements(vec)).to.deep.equal(k.plain.slice(0, 4));
          expectError(() => vec.push(k.plain[1]!, k.refused[0] as Element, k.plain[2]!), {
            type: InvalidArgTypeError,
            code: "ERR_INVALID_ARG_TYPE",
            message: ['"values[1]"'],
          });
          expect(elements(vec)).to.deep.equal(k.plain.slice(0, 4));
        });

        for (const value of k.refused) {
          it(`refuses ${inspect(value)} with ERR_INVALID_ARG_TYPE and changes nothing`, () => {
            using vec = vecOf(k, k.plain);
            const expected = elements(vec);
            for (const fn of [
              () => vec.push(value as Element),
              () => vec.set(0, value as Element),
              () => vec.fill(value as Element),
              // resize(n, undefined) means "no fill value": zeros.
              ...(value === undefined ? [] : [() => vec.resize(vec.length + 3, value as Element)]),
              () => vec.extend([value as Element]),
            ]) {
              const error = expectError(fn, {
                type: InvalidArgTypeError,
                code: "ERR_INVALID_ARG_TYPE",
              });
              expect(error.message).to.match(/"(value|fill|source\[0\])"/);
              expect(error.message).to.contain(k.bigint ? "of type bigint" : "of type number");
              expectUnchanged(vec, expected, fn);
            }
          });
        }

        it("refuses bad indices in get and set with the contract's errors", () => {
          using vec = vecOf(k, k.plain.slice(0, 3));
          for (const [index, type, code] of [
            [3, OutOfRangeError, "ERR_OUT_OF_RANGE"],
            [100, OutOfRangeError, "ERR_OUT_OF_RANGE"],
            [-1, OutOfRangeError, "ERR_OUT_OF_RANGE"],
            [1.5, OutOfRangeError, "ERR_OUT_OF_RANGE"],
            [NaN, OutOfRangeError, "ERR_OUT_OF_RANGE"],
            [Infinity, OutOfRangeError, "ERR_OUT_OF_RANGE"],
            [2 ** 32, OutOfRangeError, "ERR_OUT_OF_RANGE"],
            ["0", InvalidArgTypeError, "ERR_INVALID_ARG_TYPE"],
            [0n, InvalidArgTypeError, "ERR_INVALID_ARG_TYPE"],
            [undefined, InvalidArgTypeError, "ERR_INVALID_ARG_TYPE"],
            [{ valueOf: () => 0 }, InvalidArgTypeError, "ERR_INVALID_ARG_TYPE"],
          ] as const) {
            expectArgError(() => vec.get(index as number), type, code, "index", index);
            expectArgError(() => vec.set(index as number, k.plain[0]!), type, code, "index", index);
            expectUnchanged(vec, k.plain.slice(0, 3), () => vec.set(index as number, k.plain[0]!));
          }
          expectArgError(() => vec.at(1.5), OutOfRangeError, "ERR_OUT_OF_RANGE", "index", 1.5);
          expectArgError(() => vec.at(NaN), OutOfRangeError, "ERR_OUT_OF_RANGE", "index", NaN);
          expectArgError(
            () => vec.at("0" as never),
            InvalidArgTypeError,
            "ERR_INVALID_ARG_TYPE",
            "index",
            "0",
          );
          using empty = new LargeVec(k.Ctor);
          expectError(() => empty.get(0), {
            type: OutOfRangeError,
            code: "ERR_OUT_OF_RANGE",
            message: ["empty"],
          });
        });
      });
    }

    it("stores a value whose valueOf pushes onto the same vector after that push", () => {
      using vec = new LargeVec(Float64Array);
      const sneaky = {
        valueOf() {
          vec.push(1);
          return 2;
        },
      };
      expect(vec.push(sneaky as unknown as number)).to.equal(2);
      expect(elements(vec)).to.deep.equal([1, 2]);
      // A valueOf that grows the vector past its capacity (reallocating it) is fine too.
      const grower = {
        valueOf() {
          for (let i = 0; i < 1000; i++) vec.push(i);
          return 5;
        },
      };
      vec.set(0, grower as unknown as number);
      expect(vec.get(0)).to.equal(5);
      expect(vec.length).to.equal(1002);
    });

    it("re-checks the index after a valueOf that shortened the vector", () => {
      using vec = LargeVec.from(Int32Array, [1, 2, 3]);
      const shrinker = {
        valueOf() {
          vec.truncate(1);
          return 9;
        },
      };
      expectError(() => vec.set(2, shrinker as unknown as number), {
        type: OutOfRangeError,
        code: "ERR_OUT_OF_RANGE",
      });
      expect(elements(vec)).to.deep.equal([1]);
    });

    it("passes through an error thrown by a value's valueOf (not a TypeError)", () => {
      using vec = LargeVec.from(Float64Array, [1]);
      const boom = new Error("boom");
      const bad = {
        valueOf(): number {
          throw boom;
        },
      };
      expect(() => vec.push(bad as unknown as number)).to.throw(boom);
      expect(elements(vec)).to.deep.equal([1]);
    });
  });

  describe("length and capacity", () => {
    for (const k of KINDS) {
      it(`${k.name}: reserve, resize, truncate, clear and shrinkToFit`, () => {
        using vec = vecOf(k, k.plain.slice(0, 3));
        vec.reserve(100);
        expect(vec.capacity).to.be.at.least(103);
        expect(elements(vec)).to.deep.equal(k.plain.slice(0, 3));
        vec.resize(6, k.plain[3]!);
        expect(elements(vec)).to.deep.equal([
          ...k.plain.slice(0, 3),
          k.plain[3],
          k.plain[3],
          k.plain[3],
        ]);
        vec.resize(8);
        expect(elements(vec).slice(6)).to.deep.equal([zero(k), zero(k)]);
        vec.resize(2);
        expect(elements(vec)).to.deep.equal(k.plain.slice(0, 2));
        vec.truncate(5);
        expect(vec.length).to.equal(2);
        vec.truncate(1);
        expect(elements(vec)).to.deep.equal(k.plain.slice(0, 1));
        vec.shrinkToFit();
        expect([vec.capacity, vec.storage]).to.deep.equal([1, "heap"]);
        vec.clear();
        expect(vec.length).to.equal(0);
        vec.shrinkToFit();
        expect(vec.capacity).to.equal(0);
        vec.push(k.plain[2]!);
        expect(elements(vec)).to.deep.equal([k.plain[2]]);
      });
    }

    it("refuses bad arguments to reserve, resize and truncate, changing nothing", () => {
      using vec = LargeVec.from(Float64Array, [1, 2, 3]);
      const cases: [
        () => unknown,
        typeof InvalidArgTypeError | typeof OutOfRangeError,
        string,
        string,
        unknown,
      ][] = [
        [() => vec.reserve(-1), OutOfRangeError, "ERR_OUT_OF_RANGE", "additional", -1],
        [() => vec.reserve(1.5), OutOfRangeError, "ERR_OUT_OF_RANGE", "additional", 1.5],
        [
          () => vec.reserve("1" as never),
          InvalidArgTypeError,
          "ERR_INVALID_ARG_TYPE",
          "additional",
          "1",
        ],
        [() => vec.reserve(2 ** 40), OutOfRangeError, "ERR_OUT_OF_RANGE", "additional", 2 ** 40],
        [() => vec.resize(-1), OutOfRangeError, "ERR_OUT_OF_RANGE", "length", -1],
        [() => vec.resize(NaN), OutOfRangeError, "ERR_OUT_OF_RANGE", "length", NaN],
        [() => vec.resize(2 ** 34), OutOfRangeError, "ERR_OUT_OF_RANGE", "length", 2 ** 34],
        [
          () => vec.resize(undefined as never),
          InvalidArgTypeError,
          "ERR_INVALID_ARG_TYPE",
          "length",
          undefined,
        ],
        [() => vec.truncate(-1), OutOfRangeError, "ERR_OUT_OF_RANGE", "length", -1],
        [() => vec.truncate(0.5), OutOfRangeError, "ERR_OUT_OF_RANGE", "length", 0.5],
        [
          () => vec.truncate("0" as never),
          InvalidArgTypeError,
          "ERR_INVALID_ARG_TYPE",
          "length",
          "0",
        ],
      ];
      for (const [fn, type, code, name, value] of cases) {
        expectArgError(fn, type, code, name, value);
        expectUnchanged(vec, [1, 2, 3], fn);
      }
      expect(vec.capacity).to.be.below(1000);
    });

    it("doubles the capacity when full", () => {
      using vec = new LargeVec(Float64Array);
      const capacities: number[] = [];
      for (let i = 0; i < 600_000; i++) {
        if (vec.length === vec.capacity) capacities.push(vec.capacity);
        vec.push(i);
      }
      const pooled = capacities.filter((capacity) => capacity * 8 >= 2 * MiB);
      for (let i = 1; i < pooled.length; i++) expect(pooled[i]).to.equal(2 * pooled[i - 1]!);
      for (let i = 2; i < capacities.length; i++) {
        expect(capacities[i]).to.be.at.least(2 * capacities[i - 1]!);
      }
      expect(vec.get(599_999)).to.equal(599_999);
    });

    it("leaves the vector unchanged when growing fails (allocator disabled)", () => {
      restoreAfter(() => {
        using vec = LargeVec.from(Float64Array, [1, 2, 3]);
        configure({ enabled: false });
        expectError(() => vec.reserve(2 * MiB), {
          type: LgallocError,
          code: "ERR_LGALLOC_DISABLED",
        });
        expectError(() => vec.resize(2 * MiB), {
          type: LgallocError,
          code: "ERR_LGALLOC_DISABLED",
        });
        expectError(() => vec.extend(new Float64Array(2 * MiB)), {
          type: LgallocError,
          code: "ERR_LGALLOC_DISABLED",
        });
        expect(elements(vec)).to.deep.equal([1, 2, 3]);
        expect(vec.storage).to.equal("heap");
        vec.push(4);
        expect(elements(vec)).to.deep.equal([1, 2, 3, 4]);
        expectError(() => new LargeVec(Float64Array, 2 * MiB), {
          type: LgallocError,
          code: "ERR_LGALLOC_DISABLED",
        });
        // Below 2 MiB the heap still serves.
        using small = new LargeVec(Float64Array, 1000);
        expect(small.length).to.equal(1000);
      });
    });
  });

  describe("storage", () => {
    it("moves from the heap into a pooled region past 2 MiB and back with shrinkToFit", () => {
      const before = stats();
      using vec = new LargeVec(Float64Array);
      for (let i = 0; i < 300_000; i++) vec.push(i * 0.5);
      expect(vec.storage).to.equal("pooled");
      expect(vec.capacity).to.equal((4 * MiB) / 8);
      expect(stats().liveRegions).to.equal(before.liveRegions + 1);
      expect(vec.get(123_456)).to.equal(123_456 * 0.5);
      vec.truncate(300);
      vec.shrinkToFit();
      expect([vec.storage, vec.capacity, vec.length]).to.deep.equal(["heap", 300, 300]);
      expect(stats().liveRegions).to.equal(before.liveRegions);
      expect(elements(vec)).to.deep.equal(Array.from({ length: 300 }, (_, i) => i * 0.5));
    });

    it("shrinks a pooled vector to the smallest region that holds it", () => {
      using vec = new LargeVec(Uint8Array, 16 * MiB);
      vec.set(3 * MiB - 1, 42);
      vec.truncate(3 * MiB);
      vec.shrinkToFit();
      expect([vec.storage, vec.capacity]).to.deep.equal(["pooled", 4 * MiB]);
      expect(vec.get(3 * MiB - 1)).to.equal(42);
      const capacity = vec.capacity;
      vec.shrinkToFit();
      expect(vec.capacity).to.equal(capacity);
    });

    it("disposes the old region as soon as it grows into a new one", () => {
      using vec = LargeVec.withCapacity(Uint8Array, 2 * MiB);
      vec.resize(2 * MiB);
      const before = stats();
      vec.push(1);
      const after = stats();
      expect(vec.capacity).to.equal(4 * MiB);
      expect(after.disposedRegions).to.equal(before.disposedRegions + 1);
      expect(after.liveRegions).to.equal(before.liveRegions);
    });
  });

  describe("bulk operations", () => {
    for (const k of KINDS) {
      describe(k.name, () => {
        it("extend appends typed arrays, arrays, iterables, array-likes and vectors", () => {
          using vec = new LargeVec(k.Ctor);
          const typed = new k.Ctor(new ArrayBuffer(3 * k.bytes), 0, 3) as unknown as Element[];
          k.plain.slice(0, 3).forEach((value, i) => (typed[i] = value));
          expect(vec.extend(typed as never)).to.equal(3);
          expect(vec.extend(k.plain.slice(3, 4) as never)).to.equal(4);
          expect(vec.extend(new Set(k.plain.slice(4)) as never)).to.equal(k.plain.length);
          expect(vec.extend({ length: 1, 0: k.plain[0] } as never)).to.equal(k.plain.length + 1);
          expect(elements(vec)).to.deep.equal([...k.plain, k.plain[0]]);
          vec.extend(vec);
          expect(elements(vec)).to.deep.equal([...k.plain, k.plain[0], ...k.plain, k.plain[0]]);
        });

        it("extend converts other kinds of typed array, refusing to mix bigints and numbers", () => {
          using vec = new LargeVec(k.Ctor);
          const other = k.bigint
            ? new BigUint64Array([1n, 2n ** 64n - 1n])
            : new Float64Array([1.5, -300, 70000]);
          vec.extend(other as never);
          expect(elements(vec)).to.deep.equal([...other].map((value) => convert(k.Ctor, value)));
          const expected = elements(vec);
          const mixed = k.bigint ? new Int32Array([1]) : new BigInt64Array([1n]);
          expectError(() => vec.extend(mixed as never), {
            type: InvalidArgTypeError,
            code: "ERR_INVALID_ARG_TYPE",
            message: ['"source"'],
          });
          expectUnchanged(vec, expected, () => vec.extend(mixed as never));
          // A vector of the other sort names itself, not the view taken of it.
          using mixedVec = k.bigint
            ? LargeVec.from(Int32Array, [1])
            : LargeVec.from(BigInt64Array, [1n]);
          expectError(() => vec.extend(mixedVec as never), {
            type: InvalidArgTypeError,
            code: "ERR_INVALID_ARG_TYPE",
            message: ['"source"', "LargeVec"],
          });
          expectUnchanged(vec, expected, () => vec.extend(mixedVec as never));
        });

        it("extend appends nothing when the iterable throws midway", () => {
          using vec = vecOf(k, k.plain.slice(0, 2));
          function* failing(): Generator<Element> {
            yield k.plain[2]!;
            yield k.plain[3]!;
            throw new Error("iterator failed");
          }
          expect(() => vec.extend(failing())).to.throw("iterator failed");
          expectUnchanged(vec, k.plain.slice(0, 2), () => vec.extend(failing()));
        });

        it("fill, indexOf, includes, sort and reverse work like the typed array's", () => {
          const values = [...k.plain].reverse();
          using vec = vecOf(k, values);
          const typed = new (
            k.Ctor as unknown as new (a: readonly Element[]) => Element[] & {
              sort(c?: (a: Element, b: Element) => number): Element[];
            }
          )(values);
          for (const [value, from] of [
            [k.plain[0], undefined],
            [k.plain[2], -3],
            [k.plain[2], 2],
            [k.plain[1], 100],
            [k.plain[1], -100],
          ] as const) {
            expect(vec.indexOf(value!, from)).to.equal(
              (typed as unknown as TypedArray).indexOf(value as never, from),
            );
            expect(vec.includes(value!, from)).to.equal(
              (typed as unknown as TypedArray).includes(value as never, from),
            );
          }
          expect(vec.indexOf((k.bigint ? 1 : 1n) as Element)).to.equal(-1); // no conversion
          vec.sort();
          expect(elements(vec)).to.deep.equal([...k.plain]);
          vec.sort((a, b) => typedOrder(b, a));
          expect(elements(vec)).to.deep.equal(values);
          vec.reverse();
          expect(elements(vec)).to.deep.equal([...k.plain]);
          vec.fill(k.plain[0]!, 1, 3);
          vec.fill(k.plain[1]!, -2);
          const filled = [...k.plain];
          filled.fill(k.plain[0]!, 1, 3);
          filled.fill(k.plain[1]!, -2);
          expect(elements(vec)).to.deep.equal(filled);
          vec.fill(k.plain[2]!, 5, 2);
          expect(elements(vec)).to.deep.equal(filled);
        });
      });
    }

    it("finds NaN with includes but not with indexOf, and sorts NaN last", () => {
      using vec = LargeVec.from(Float64Array, [NaN, 1, -0, 0, -Infinity]);
      expect(vec.includes(NaN)).to.equal(true);
      expect(vec.indexOf(NaN)).to.equal(-1);
      vec.sort();
      expect(elements(vec)).to.deep.equal([-Infinity, -0, 0, 1, NaN]);
    });

    it("keeps the order when the comparator throws", () => {
      using vec = LargeVec.from(Int32Array, [3, 1, 2]);
      let calls = 0;
      expect(() =>
        vec.sort(() => {
          if (++calls === 2) throw new Error("compare failed");
          return -1;
        }),
      ).to.throw("compare failed");
      expect(elements(vec)).to.deep.equal([3, 1, 2]);
      expectArgError(
        () => vec.sort(1 as never),
        InvalidArgTypeError,
        "ERR_INVALID_ARG_TYPE",
        "compare",
        1,
      );
    });

    it("refuses bad positions in fill, indexOf and includes", () => {
      using vec = LargeVec.from(Int32Array, [3, 1, 2]);
      for (const [fn, name, value, type, code] of [
        [() => vec.fill(1, 0.5), "start", 0.5, OutOfRangeError, "ERR_OUT_OF_RANGE"],
        [() => vec.fill(1, 0, NaN), "end", NaN, OutOfRangeError, "ERR_OUT_OF_RANGE"],
        [
          () => vec.fill(1, "1" as never),
          "start",
          "1",
          InvalidArgTypeError,
          "ERR_INVALID_ARG_TYPE",
        ],
        [() => vec.indexOf(1, 1.5), "fromIndex", 1.5, OutOfRangeError, "ERR_OUT_OF_RANGE"],
        [
          () => vec.includes(1, "0" as never),
          "fromIndex",
          "0",
          InvalidArgTypeError,
          "ERR_INVALID_ARG_TYPE",
        ],
      ] as const) {
        expectArgError(fn, type, code, name, value);
      }
      expect(elements(vec)).to.deep.equal([3, 1, 2]);
    });

    it("extend of a view of itself survives the reallocation", () => {
      using vec = LargeVec.from(Float64Array, [1, 2, 3, 4]);
      vec.shrinkToFit();
      expect(vec.extend(vec.view(1, 3))).to.equal(6);
      expect(elements(vec)).to.deep.equal([1, 2, 3, 4, 2, 3]);
    });
  });

  describe("iteration", () => {
    for (const k of KINDS) {
      it(`${k.name}: values, keys, entries and for...of`, () => {
        using vec = vecOf(k, k.plain);
        expect([...vec]).to.deep.equal([...k.plain]);
        expect([...vec.values()]).to.deep.equal([...k.plain]);
        expect([...vec.keys()]).to.deep.equal(k.plain.map((_, i) => i));
        expect([...vec.entries()]).to.deep.equal(k.plain.map((value, i) => [i, value]));
      });
    }

    it("sees elements pushed during iteration and stays done once done", () => {
      using vec = LargeVec.from(Int32Array, [1, 2]);
      const seen: number[] = [];
      for (const value of vec) {
        seen.push(value);
        if (value < 5) vec.push(value + 2);
      }
      expect(seen).to.deep.equal([1, 2, 3, 4, 5, 6]);
      const iterator = vec.values();
      for (let i = 0; i < vec.length; i++) iterator.next();
      expect(iterator.next().done).to.equal(true);
      vec.push(7);
      expect(iterator.next().done).to.equal(true);
    });

    it("throws ERR_LGALLOC_DISPOSED from next() once the vector is disposed", () => {
      const vec = LargeVec.from(Int32Array, [1, 2]);
      const iterator = vec.values();
      expect(iterator.next().value).to.equal(1);
      vec.dispose();
      expectDisposedError(() => iterator.next());
    });
  });

  describe("views", () => {
    for (const k of KINDS) {
      it(`${k.name}: view() shares memory; toTypedArray() copies`, () => {
        using vec = vecOf(k, k.plain);
        const view = vec.view();
        expect(view).to.be.an.instanceof(k.Ctor);
        expect([...(view as unknown as Element[])]).to.deep.equal([...k.plain]);
        (view as unknown as Element[])[0] = k.plain[1]!;
        expect(vec.get(0)).to.equal(k.plain[1]);
        vec.set(1, k.plain[3]!);
        expect((view as unknown as Element[])[1]).to.equal(k.plain[3]);
        const part = vec.view(2, 4);
        expect([...(part as unknown as Element[])]).to.deep.equal(k.plain.slice(2, 4));
        expect(vec.view(3).length).to.equal(k.plain.length - 3);
        expect(vec.view(2, 2).length).to.equal(0);
        const copy = vec.toTypedArray();
        expect(copy).to.be.an.instanceof(k.Ctor);
        expect(copy.buffer).to.not.equal(view.buffer);
        (copy as unknown as Element[])[0] = k.plain[2]!;
        expect(vec.get(0)).to.equal(k.plain[1]);
      });
    }

    it("refuses ranges outside [0, length] or backwards", () => {
      using vec = LargeVec.from(Int32Array, [1, 2, 3]);
      expectArgError(() => vec.view(-1), OutOfRangeError, "ERR_OUT_OF_RANGE", "start", -1);
      expectArgError(() => vec.view(4), OutOfRangeError, "ERR_OUT_OF_RANGE", "start", 4);
      expectArgError(() => vec.view(0, 4), OutOfRangeError, "ERR_OUT_OF_RANGE", "end", 4);
      expectArgError(() => vec.view(2, 1), OutOfRangeError, "ERR_OUT_OF_RANGE", "end", 1);
      expectArgError(() => vec.view(0.5), OutOfRangeError, "ERR_OUT_OF_RANGE", "start", 0.5);
      expectArgError(
        () => vec.view("0" as never),
        InvalidArgTypeError,
        "ERR_INVALID_ARG_TYPE",
        "start",
        "0",
      );
    });

    it("leaves a view taken before growth on the heap with length 0", () => {
      using vec = LargeVec.from(Float64Array, [1, 2, 3]);
      vec.shrinkToFit();
      const stale = vec.view();
      vec.push(4);
      expect(stale.length).to.equal(0);
      expect(stale[0]).to.equal(undefined);
      expect(vec.view().length).to.equal(4);
    });

    it("leaves a view taken before pooled growth with length 0", () => {
      using vec = new LargeVec(Uint8Array, 2 * MiB);
      const stale = vec.view();
      vec.push(1);
      expect(vec.storage).to.equal("pooled");
      expect(stale.length).to.equal(0);
      stale[0] = 5; // ignored: never written into memory the vector gave back
      expect(vec.get(0)).to.equal(0);
    });

    it("leaves a view taken before crossing from heap to pooled with length 0", () => {
      using vec = new LargeVec(Float64Array, 1000);
      const stale = vec.view();
      vec.resize((2 * MiB) / 8);
      expect(vec.storage).to.equal("pooled");
      expect(stale.length).to.equal(0);
    });
  });

  describe("disposal", () => {
    it("empties the views held when disposed, heap and pooled alike", () => {
      const heap = LargeVec.from(Float64Array, [1, 2, 3]);
      const pooled = new LargeVec(Float64Array, (2 * MiB) / 8);
      const views = [heap.view(), pooled.view(), pooled.view(5, 10)];
      const before = stats();
      heap.dispose();
      pooled.dispose();
      expect(views.map((view) => view.length)).to.deep.equal([0, 0, 0]);
      expect(stats().disposedRegions).to.equal(before.disposedRegions + 1);
      expect([heap.disposed, pooled.disposed]).to.deep.equal([true, true]);
      heap.dispose();
      pooled.dispose();
      expect(stats().disposedRegions).to.equal(before.disposedRegions + 1);
    });

    it("throws ERR_LGALLOC_DISPOSED from every method and getter but dispose and disposed", () => {
      const vec = LargeVec.from(Float64Array, [1, 2, 3]);
      vec.dispose();
      const uses: (() => unknown)[] = [
        () => vec.length,
        () => vec.capacity,
        () => vec.storage,
        () => vec.elementType,
        () => vec.BYTES_PER_ELEMENT,
        () => vec.byteLength,
        () => vec.push(1),
        () => vec.push(),
        () => vec.push(1, 2),
        () => vec.pop(),
        () => vec.get(0),
        () => vec.set(0, 1),
        () => vec.at(0),
        () => vec.reserve(1),
        () => vec.resize(1),
        () => vec.truncate(0),
        () => vec.clear(),
        () => vec.shrinkToFit(),
        () => vec.extend([1]),
        () => vec.fill(1),
        () => vec.indexOf(1),
        () => vec.includes(1),
        () => vec.sort(),
        () => vec.reverse(),
        () => vec.values(),
        () => vec.keys(),
        () => vec.entries(),
        () => vec[Symbol.iterator](),
        () => vec.toTypedArray(),
        () => vec.view(),
        () => vec.transfer(),
        () => vec.toString(),
        () => String(vec),
      ];
      for (const use of uses) expectDisposedError(use);
      expect(vec.disposed).to.equal(true);
      expect(() => vec.dispose()).to.not.throw();
      expect(() => vec[Symbol.dispose]()).to.not.throw();
      expect(inspect(vec)).to.equal("LargeVec<Float64Array>(disposed)");
      expect(LargeVec.isLargeVec(vec)).to.equal(true);
    });

    it("a using declaration disposes the vector at the end of its block", () => {
      const before = stats();
      let seen: LargeVec<Float64Array> | undefined;
      let view: Float64Array | undefined;
      {
        using vec = new LargeVec(Float64Array, (2 * MiB) / 8);
        seen = vec;
        view = vec.view();
        expect(stats().liveRegions).to.equal(before.liveRegions + 1);
      }
      expect(seen.disposed).to.equal(true);
      expect(view.length).to.equal(0);
      expect(stats().liveRegions).to.equal(before.liveRegions);
      expect(() => {
        using vec = new LargeVec(Float64Array, 10);
        seen = vec;
        throw new Error("block failed");
      }).to.throw("block failed");
      expect(seen.disposed).to.equal(true);
    });
  });

  describe("transfer and adopt (within a thread)", () => {
    for (const [label, count] of [
      ["heap", 1000],
      ["pooled", (3 * MiB) / 8],
    ] as const) {
      it(`moves a ${label} vector through a token, which works once`, () => {
        const vec = new LargeVec(Float64Array, count);
        vec.set(0, 1.5).set(count - 1, -2.5);
        const view = vec.view();
        const token = vec.transfer();
        expect(Object.isFrozen(token)).to.equal(true);
        expect(token.kind).to.equal("lgalloc.LargeVecToken");
        expect(token.elementType).to.equal("Float64Array");
        expect(token.length).to.equal(count);
        expect(token.region === undefined).to.equal(label === "heap");
        expect(token.heap === undefined).to.equal(label === "pooled");
        if (label === "heap") expect(token.transferList).to.deep.equal([token.heap]);
        expect(vec.disposed).to.equal(true);
        expect(view.length).to.equal(0);
        using back = LargeVec.adopt<Float64Array>(
          structuredClone(token, { transfer: [...token.transferList] }),
        );
        expect([back.length, back.storage, back.elementType]).to.deep.equal([
          count,
          label,
          Float64Array,
        ]);
        expect([back.get(0), back.get(count - 1), back.get(1)]).to.deep.equal([1.5, -2.5, 0]);
        back.push(3);
        expect(back.get(count)).to.equal(3);
        expectError(() => LargeVec.adopt(token), {
          type: LgallocError,
          code: "ERR_LGALLOC_INVALID_TOKEN",
        });
      });
    }

    it("spends the token of an empty vector on its first adoption, like any other", () => {
      for (const Ctor of [Uint8Array, Float64Array] as TypedArrayConstructor<TypedArray>[]) {
        const token = new LargeVec(Ctor).transfer();
        using back = LargeVec.adopt(structuredClone(token, { transfer: [...token.transferList] }));
        expect(back.length).to.equal(0);
        back.push(7);
        expect(back.get(0)).to.equal(7);
        expectError(() => LargeVec.adopt(token), {
          type: LgallocError,
          code: "ERR_LGALLOC_INVALID_TOKEN",
        });
      }
    });

    it("refuses malformed tokens with ERR_LGALLOC_INVALID_TOKEN", () => {
      const good = (): LargeVecToken => LargeVec.from(Int16Array, [1, 2, 3]).transfer();
      const region = allocate(2 * MiB);
      const regionToken = region.transfer();
      const malformed: unknown[] = [
        null,
        undefined,
        42,
        "token",
        {},
        { ...good(), kind: "lgalloc.RegionToken" },
        { ...good(), elementType: "Buffer" },
        { ...good(), elementType: undefined },
        { ...good(), length: -1 },
        { ...good(), length: 1.5 },
        { ...good(), length: "3" },
        { ...good(), length: 4 },
        { ...good(), heap: undefined },
        { ...good(), heap: new Uint8Array(6) },
        { ...good(), heap: new ArrayBuffer(4 * MiB), length: 1 },
        { ...good(), region: regionToken },
        { ...good(), heap: undefined, region: { kind: "lgalloc.RegionToken", id: "zz" } },
        { ...good(), heap: undefined, region: regionToken, length: 2 * MiB },
      ];
      for (const token of malformed) {
        expectError(() => LargeVec.adopt(token as LargeVecToken), {
          type: LgallocError,
          code: "ERR_LGALLOC_INVALID_TOKEN",
        });
      }
    });

    it("takes over a fresh token whose region is big enough", () => {
      const vec = LargeVec.from(Uint32Array, [7, 8, 9]);
      vec.resize((2 * MiB) / 4);
      const token = vec.transfer();
      using back = LargeVec.adopt<Uint32Array>(token);
      expect([back.get(0), back.get(2), back.length]).to.deep.equal([7, 9, (2 * MiB) / 4]);
    });
  });

  describe("isLargeVec, toString and util.inspect", () => {
    it("recognises vectors by a shared brand, nothing else", () => {
      using vec = new LargeVec(Float64Array);
      expect(LargeVec.isLargeVec(vec)).to.equal(true);
      for (const other of [
        null,
        undefined,
        {},
        new Float64Array(1),
        LargeVec.prototype,
        Object.create(vec),
        { [Symbol.for("lgalloc.Region")]: true },
      ]) {
        expect(LargeVec.isLargeVec(other), inspect(other, { depth: 0 })).to.equal(false);
      }
      // Another copy of the package brands its vectors the same way.
      const foreign = Object.defineProperty({}, Symbol.for("lgalloc.LargeVec"), { value: true });
      expect(LargeVec.isLargeVec(foreign)).to.equal(true);
    });

    it("shows the kind, length, capacity, storage and at most 10 values", () => {
      using small = LargeVec.from(Float64Array, [1, 2, 3]);
      expect(small.toString()).to.equal(
        "LargeVec<Float64Array>(length=3, capacity=3, storage=heap) [1, 2, 3]",
      );
      expect(inspect(small)).to.equal(small.toString());
      using big = LargeVec.withCapacity(Float64Array, (2 * MiB) / 8);
      big.push(1, -0, NaN);
      expect(String(big)).to.equal(
        "LargeVec<Float64Array>(length=3, capacity=262144, storage=pooled) [1, -0, NaN]",
      );
      using long = new LargeVec(Int8Array, 4 * MiB);
      expect(inspect(long)).to.equal(
        `LargeVec<Int8Array>(length=${4 * MiB}, capacity=${4 * MiB}, storage=pooled) [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...]`,
      );
      using bigints = LargeVec.from(BigInt64Array, [1n, -2n]);
      expect(String(bigints)).to.equal(
        "LargeVec<BigInt64Array>(length=2, capacity=2, storage=heap) [1n, -2n]",
      );
      using empty = new LargeVec(Uint8ClampedArray);
      expect(String(empty)).to.equal(
        "LargeVec<Uint8ClampedArray>(length=0, capacity=0, storage=heap) []",
      );
    });
  });
});

/** Runs `fn` and puts the allocator configuration back afterwards. */
function restoreAfter(fn: () => void): void {
  const saved = config();
  try {
    fn();
  } finally {
    configure(saved);
  }
}
