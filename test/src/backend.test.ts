// Tests of backendKind(), the LGALLOC_BACKEND environment variable (read once, when the
// package loads) and what happens where no native addon can be had.

import { expect } from "chai";
import { backendKind, stats } from "@lgalloc/core";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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

describe("loading without a native addon", () => {
  const missing = path.join(os.tmpdir(), "lgalloc-no-such-addon.node");
  let notAnAddon: string;

  before(() => {
    notAnAddon = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lgalloc-")), "fake.node");
    fs.writeFileSync(notAnAddon, "not a shared object");
  });

  after(() => fs.rmSync(path.dirname(notAnAddon), { recursive: true, force: true }));

  const warnings = (stderr: string) => stderr.split("[LGALLOC_FALLBACK_BACKEND]").length - 1;

  for (const [what, file] of [
    ["is missing", () => missing],
    ["is not a loadable addon", () => notAnAddon],
  ] as const) {
    it(`serves from the fallback with one warning when the addon ${what}`, async () => {
      const result = await runFixture("backend-kind", [], {
        LGALLOC_BACKEND: "",
        LGALLOC_ADDON_PATH: file(),
      });
      expect(result.status, result.stderr).to.equal(0);
      expect(lastJson<Kind>(result.stdout)).to.deep.equal({
        kind: "fallback",
        statsBackend: "fallback",
      });
      expect(warnings(result.stderr), result.stderr).to.equal(1);
      expect(result.stderr).to.include(path.basename(file()));
    });
  }

  it("fails at load with ERR_LGALLOC_ADDON_LOAD when LGALLOC_BACKEND=native forces it", async () => {
    const result = await runFixture("backend-kind", [], {
      LGALLOC_BACKEND: "native",
      LGALLOC_ADDON_PATH: missing,
    });
    expect(result.status).to.not.equal(0);
    expect(result.stdout).to.equal("");
    expect(result.stderr).to.include("ERR_LGALLOC_ADDON_LOAD");
    expect(result.stderr).to.include("LGALLOC_BACKEND=native");
    expect(result.stderr).to.include("npm rebuild @lgalloc/core");
    expect(warnings(result.stderr)).to.equal(0);
  });

  it("fails at load with ERR_INVALID_ARG_VALUE for an unknown LGALLOC_BACKEND", async () => {
    const result = await runFixture("backend-kind", [], { LGALLOC_BACKEND: "turbo" });
    expect(result.status).to.not.equal(0);
    expect(result.stdout).to.equal("");
    expect(result.stderr).to.include("ERR_INVALID_ARG_VALUE");
    expect(result.stderr).to.include("'turbo'");
  });
});
