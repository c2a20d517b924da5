// Tests of nativeVersion(): the addon loads and reports the allocator core it was built
// from.

import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { nativeVersion } from "@lgalloc/core";

/** LGALLOC_CORE_VERSION as defined in the header the addon was compiled with. */
function coreVersionFromHeader(): string {
  // test/dist/version.test.js -> repository root.
  const header = path.resolve(__dirname, "../../native/core/include/lgalloc/version.h");
  const match = /#define\s+LGALLOC_CORE_VERSION\s+"([^"]+)"/.exec(fs.readFileSync(header, "utf8"));
  if (match?.[1] === undefined) {
    throw new Error(`LGALLOC_CORE_VERSION not found in ${header}`);
  }
  return match[1];
}

describe("nativeVersion()", () => {
  it("names the binding and the allocator core it was built from", () => {
    const version = nativeVersion();
    expect(version).to.be.a("string");
    expect(version.startsWith("lgalloc-node")).to.equal(true, version);
    expect(version).to.contain(`(core ${coreVersionFromHeader()})`);
  });
});
