// Methods and getters called on the wrong object (`Region.prototype.dispose.call({})`),
// brands that must be own properties, and options that must be own properties. A foreign
// receiver gets Node's `TypeError` `ERR_INVALID_THIS`, never a crash or an uncoded error;
// an object inheriting from a region is not a region; an option inherited from
// Object.prototype is no option. Issue 8, item 7.

import { expect } from "chai";
import { Region, allocate, config, configure, isRegion, stats } from "@lgalloc/core";
import { ColumnBuffer, LargeVec } from "@lgalloc/collections";
import { MiB, expectError, restoreConfigAfterEach } from "./support";

/** Every method and getter of `prototype` (but the constructor), as calls on `receiver`. */
function memberCalls(prototype: object, receiver: unknown): [string, () => unknown][] {
  const calls: [string, () => unknown][] = [];
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === "constructor") continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key)!;
    const label = String(key);
    if (descriptor.get !== undefined) {
      const get = descriptor.get;
      calls.push([`get ${label}`, () => get.call(receiver)]);
    } else if (typeof descriptor.value === "function") {
      const method = descriptor.value as (...args: unknown[]) => unknown;
      calls.push([
        label,
        () => {
          const result = method.call(receiver, 0, 0);
          // A generator method runs nothing until its first step.
          const next = (result as { next?: () => unknown } | undefined)?.next;
          if (typeof next === "function" && key === Symbol.iterator) next.call(result);
          return result;
        },
      ]);
    }
  }
  return calls;
}

/** Only `util.inspect`'s hook may answer a foreign receiver (it prints `Region {}` etc.). */
const LENIENT = new Set(["Symbol(nodejs.util.inspect.custom)"]);

describe("wrong receivers", () => {
  const instances = (): [string, object, object][] => [
    ["Region", Region.prototype, allocate(2 * MiB)],
    ["LargeVec", LargeVec.prototype, LargeVec.from(Float64Array, [1, 2])],
    ["ColumnBuffer", ColumnBuffer.prototype, ColumnBuffer.create("utf8").append("a")],
  ];

  for (const [type, prototype] of instances().map(([t, p, i]) => {
    (i as Disposable)[Symbol.dispose]();
    return [t, p] as const;
  })) {
    it(`every ${type} method and getter throws TypeError ERR_INVALID_THIS for a foreign this`, () => {
      const live = instances().find(([t]) => t === type)![2];
      const receivers: [string, unknown][] = [
        ["{}", {}],
        ["Object.create(instance)", Object.create(live)],
        ["a Proxy of an instance", new Proxy(live, {})],
        ["undefined", undefined],
        ["a number", 1],
        ["the prototype", prototype],
      ];
      let checked = 0;
      for (const [receiverLabel, receiver] of receivers) {
        for (const [name, call] of memberCalls(prototype, receiver)) {
          if (LENIENT.has(name)) continue;
          const error = expectError(call, { type: TypeError, code: "ERR_INVALID_THIS" });
          expect(error.message, `${name} on ${receiverLabel}`).to.contain(type);
          checked++;
        }
      }
      expect(checked).to.be.above(20);
      // The real instance still works after all that.
      expect((live as { disposed: boolean }).disposed).to.equal(false);
      (live as Disposable)[Symbol.dispose]();
    });
  }

  it("isRegion, isLargeVec and isColumnBuffer need an own brand: objects inheriting one are not", () => {
    using region = allocate(2 * MiB);
    using vec = LargeVec.from(Float64Array, [1]);
    using column = ColumnBuffer.create("int8");
    expect(isRegion(region)).to.equal(true);
    expect(isRegion(Object.create(region))).to.equal(false);
    expect(isRegion(new Proxy(region, {}))).to.equal(false);
    expect(region instanceof Region).to.equal(true);
    expect(Object.create(region) instanceof Region).to.equal(false);
    expect(LargeVec.isLargeVec(Object.create(vec))).to.equal(false);
    expect(ColumnBuffer.isColumnBuffer(Object.create(column))).to.equal(false);
  });
});

describe("options read as own properties only", () => {
  restoreConfigAfterEach();

  function withInherited(key: string, value: unknown, body: () => void): void {
    Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true });
    try {
      body();
    } finally {
      delete (Object.prototype as Record<string, unknown>)[key];
    }
  }

  it("configure() ignores an option inherited from Object.prototype", () => {
    const before = config().memoryLimitBytes;
    withInherited("memoryLimitBytes", 12345, () => {
      configure({ eagerReturn: false });
    });
    expect(config().memoryLimitBytes).to.equal(before);
  });

  it("configure({ background }) ignores inherited background fields", () => {
    withInherited("clearBytes", 7, () => {
      expect(() => configure({ background: { intervalMs: 1000 } as never })).to.throw(TypeError);
    });
  });

  it("stats() ignores an inherited hugePages option", () => {
    withInherited("hugePages", true, () => {
      expect(stats({}).hugePageBytes).to.equal(undefined);
    });
  });

  it("ColumnBuffer.create ignores an inherited unit", () => {
    withInherited("unit", "s", () => {
      using column = ColumnBuffer.create("timestamp", {});
      expect(column.unit).to.equal("ms");
      using plain = ColumnBuffer.create("int8", {});
      expect(plain.unit).to.equal(null);
    });
  });

  it("configure() reads each option once: a getter cannot pass the check and then change", () => {
    let reads = 0;
    const options = {
      get memoryLimitBytes(): unknown {
        reads++;
        return reads === 1 ? 0 : "oops";
      },
    };
    configure(options as never);
    expect(reads).to.equal(1);
    expect(config().memoryLimitBytes).to.equal(0);
  });
});
