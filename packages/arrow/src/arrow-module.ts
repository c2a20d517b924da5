// Which apache-arrow this package talks to. apache-arrow is an optional peer: the builders
// and tables work without it, and only the conversions and IPC functions need it. It is
// loaded once, lazily, with CommonJS `require` (so every Arrow object we make comes from
// one module system: a CommonJS vector inside an ESM table produced corrupt IPC bytes), or
// injected with `bindArrow(module)` so that an ESM application's own copy is used instead.

import * as fs from "node:fs";
import * as path from "node:path";

import { InvalidArgTypeError, InvalidArgValueError } from "@lgalloc/core";
import type * as Arrow from "apache-arrow";

import { ArrowUnavailableError } from "./errors";

/** The apache-arrow module object (`require("apache-arrow")` or `import * as arrow`). */
export type ArrowModule = typeof Arrow;

/** The supported range of apache-arrow versions (the peer dependency). */
export const ARROW_VERSION_RANGE = ">=21.2 <22";

/** The exports this package uses; a module missing one is refused by `bindArrow`. */
const REQUIRED_EXPORTS = [
  "makeData",
  "makeVector",
  "Vector",
  "Table",
  "RecordBatch",
  "Schema",
  "Field",
  "Struct",
  "RecordBatchReader",
  "RecordBatchStreamWriter",
  "RecordBatchFileWriter",
  "AsyncByteQueue",
  "Message",
] as const;

let bound: ArrowModule | undefined;

/**
 * Uses `module` as apache-arrow from now on (e.g. an ESM application's
 * `import * as arrow from "apache-arrow"`). Must happen before any Arrow object is made:
 * binding a different module after that is an `ERR_INVALID_ARG_VALUE`, since objects of
 * two copies of apache-arrow must not be mixed. Binding the same module again is a no-op.
 */
export function bindArrow(module: ArrowModule): void {
  if (typeof module !== "object" || module === null) {
    throw new InvalidArgTypeError("module", "the apache-arrow module object", module);
  }
  for (const name of REQUIRED_EXPORTS) {
    if (!(name in module)) {
      throw new InvalidArgValueError(
        "module",
        `must be apache-arrow ${ARROW_VERSION_RANGE} (it has no export "${name}")`,
        module,
      );
    }
  }
  if (bound !== undefined && bound !== module) {
    throw new InvalidArgValueError(
      "module",
      "must be the apache-arrow already in use (objects of two copies must not be mixed)",
      module,
    );
  }
  bound = module;
}

/** The bound apache-arrow, loading it with `require` the first time. */
export function arrowModule(): ArrowModule {
  if (bound !== undefined) return bound;
  let module: ArrowModule;
  let version: string;
  try {
    const entry = require.resolve("apache-arrow");
    version = packageVersion(entry);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    module = require(entry) as ArrowModule;
  } catch (error) {
    throw new ArrowUnavailableError(
      `apache-arrow ${ARROW_VERSION_RANGE} is needed for this operation: install it, or pass your copy to bindArrow()`,
      error,
    );
  }
  if (!versionSupported(version)) {
    throw new ArrowUnavailableError(
      `apache-arrow ${version} is installed, but ${ARROW_VERSION_RANGE} is needed (or pass a supported copy to bindArrow())`,
    );
  }
  bindArrow(module);
  return module;
}

/** The version in the package.json of the package whose entry file is `entry`. */
function packageVersion(entry: string): string {
  let dir = path.dirname(entry);
  for (;;) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (json.name === "apache-arrow" && typeof json.version === "string") return json.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

function versionSupported(version: string): boolean {
  const match = /^(\d+)\.(\d+)\./.exec(version);
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major === 21 && minor >= 2;
}
