// `pooledTableFromArrays`: the one-call path for `tableFromArrays` users. Each column's
// type is inferred from its values (typed arrays: their own type, not nullable; arrays:
// from the first non-null value, nullable), strings becoming Utf8, not a dictionary,
// unless `types` asks for one, and built by a `PooledTableBuilder` column by column.

import { InvalidArgTypeError, InvalidArgValueError } from "@lgalloc/core";
import { types as utilTypes } from "node:util";

import type { ColumnInputValues, PooledTableBuilderOptions } from "./table-builder";
import { PooledTableBuilder } from "./table-builder";
import type { ArrowTypeName, FieldSpec } from "./schema";
import type { PooledTable } from "./table";

/** Options of `pooledTableFromArrays`: the builder's batch limits, and column types. */
export interface PooledTableFromArraysOptions extends Omit<PooledTableBuilderOptions, "onBatch"> {
  /** Types for some columns (a type name, a field spec or an apache-arrow type). */
  types?: Record<string, ArrowTypeName | FieldSpec | object>;
}

const TYPED_ARRAY_TYPES: Record<string, ArrowTypeName> = {
  Int8Array: "int8",
  Int16Array: "int16",
  Int32Array: "int32",
  BigInt64Array: "int64",
  Uint8Array: "uint8",
  Uint8ClampedArray: "uint8",
  Uint16Array: "uint16",
  Uint32Array: "uint32",
  BigUint64Array: "uint64",
  Float32Array: "float32",
  Float64Array: "float64",
};

/**
 * A pooled table of the given columns (all of one length); a typed array's type is its
 * column's unless `options.types` names one, other columns need `options.types`.
 * @throws the errors of `PooledTableBuilder`'s constructor and `appendColumns`.
 */
export function pooledTableFromArrays(
  columns: Record<string, ColumnInputValues>,
  options: PooledTableFromArraysOptions = {},
): PooledTable {
  if (typeof columns !== "object" || columns === null || Array.isArray(columns)) {
    throw new InvalidArgTypeError("columns", "an object of { name: values }", columns);
  }
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgTypeError("options", "of type object", options);
  }
  const { types = {}, ...builderOptions } = options;
  const schema: Record<string, ArrowTypeName | FieldSpec | object> = {};
  const inputs: Record<string, ColumnInputValues> = {};
  for (const [name, values] of Object.entries(columns)) {
    const listed =
      ArrayBuffer.isView(values) || Array.isArray(values)
        ? values
        : typeof values === "object" && values !== null && Symbol.iterator in values
          ? Array.from(values as Iterable<unknown>)
          : undefined;
    if (listed === undefined || listed instanceof DataView) {
      throw new InvalidArgTypeError(
        `columns.${name}`,
        "an array, a typed array or an iterable",
        values,
      );
    }
    inputs[name] = listed;
    schema[name] = types[name] ?? inferType(listed as ArrayLike<unknown>, `columns.${name}`);
  }
  for (const name of Object.keys(types)) {
    if (!(name in columns)) {
      throw new InvalidArgValueError(`options.types.${name}`, "names no column", types[name]);
    }
  }
  const builder = new PooledTableBuilder(schema, builderOptions);
  try {
    builder.appendColumns(inputs);
    return builder.finish();
  } finally {
    builder.dispose();
  }
}

function inferType(values: ArrayLike<unknown>, name: string): ArrowTypeName | FieldSpec {
  if (ArrayBuffer.isView(values)) {
    const type =
      TYPED_ARRAY_TYPES[
        Object.getPrototypeOf(values.constructor).name === "TypedArray"
          ? values.constructor.name
          : ""
      ];
    if (type === undefined) {
      throw new InvalidArgTypeError(name, "a typed array of a standard kind", values);
    }
    return { type, nullable: false };
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    switch (typeof value) {
      case "number":
        return "float64";
      case "bigint":
        return "int64";
      case "string":
        return "utf8";
      case "boolean":
        return "bool";
    }
    if (utilTypes.isDate(value)) return "timestamp";
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return "binary";
    throw new InvalidArgTypeError(
      `${name}[${i}]`,
      "a number, bigint, string, boolean, Date or bytes (or give the column's type in options.types)",
      value,
    );
  }
  // All null (or empty): any type holds that; Utf8 is what tableFromArrays users expect.
  return "utf8";
}
