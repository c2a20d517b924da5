// Tests of backendKind() and the LGALLOC_BACKEND environment variable, which is read once,
// when the package loads.

import { expect } from "chai";
import { backendKind, stats } from "@lgalloc/core";
import { lastJson, runFixture } from "./support/fixtures";

interface Kind {
  kind: string;
  statsBackend: string;
}

describe("backendKind()", () => {
  it("names the backend serving this thread, as stats().backend does", () => {
    const expected = process.env.LGALLOC_BACKEND === "fallback" ? "fallback" : "native";
    expect(backendKind()).to.equal(expected);
    expect(stats().backend).to.equal(expected);
  });

  for (const [value, kind] of [
    ["fallback", "fallback"],
    ["native", "native"],
    ["", "native"],
  ] as const) {
    it(`is ${kind} with LGALLOC_BACKEND=${JSON.stringify(value)}`, async () => {
      const result = await runFixture("backend-kind", [], { LGALLOC_BACKEND: value });
      expect(result.status, result.stderr).to.equal(0);
      expect(lastJson<Kind>(result.stdout)).to.deep.equal({ kind, statsBackend: kind });
    });
  }

  it("ignores LGALLOC_BACKEND changed after the package loaded", async () => {
    const toFallback = await runFixture("backend-kind", ["fallback"], {
      LGALLOC_BACKEND: "native",
    });
    expect(toFallback.status, toFallback.stderr).to.equal(0);
    expect(lastJson<Kind>(toFallback.stdout).kind).to.equal("native");
    const toNative = await runFixture("backend-kind", ["native"], { LGALLOC_BACKEND: "fallback" });
    expect(toNative.status, toNative.stderr).to.equal(0);
    expect(lastJson<Kind>(toNative.stdout).kind).to.equal("fallback");
  });
});
