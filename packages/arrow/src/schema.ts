// The schema of a pooled table: a list of fields, each a name, one of the supported Arrow
// types and nullability. It is given either as apache-arrow objects (a `Schema`, or the
// `Field`s / `DataType`s in a `{ name: type }` object) or as a plain spec,
// `{ price: "float64", name: { type: "utf8", nullable: false }, at: { type: "timestamp",
// unit: "us", timezone: "UTC" } }`. apache-arrow objects are recognised by shape (`typeId`
// and the type's own fields), so any copy of apache-arrow works and none is loaded here.
//
// Supported types: Int8-64, Uint8-64, Float32/64, Bool, Utf8, LargeUtf8, Binary,
// LargeBinary, DateDay, DateMillisecond, Timestamp (s, ms, us, ns; with a time zone or
// none) and Dictionary<Int32, Utf8>.

import { InvalidArgTypeError, InvalidArgValueError } from "@lgalloc/core";
import type { ColumnKind, TimeUnit } from "@lgalloc/collections";

/** The names of the supported types in a plain schema spec. */
export type ArrowTypeName =
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "float32"
  | "float64"
  | "bool"
  | "utf8"
  | "largeUtf8"
  | "binary"
  | "largeBinary"
  | "dateDay"
  | "dateMillisecond"
  | "timestamp"
  | "dictionary";

/** One field of a plain schema spec, when a bare type name is not enough. */
export interface FieldSpec {
  /** The field's type. */
  type: ArrowTypeName;
  /** @defaultValue true */
  nullable?: boolean;
  /** Timestamp only. @defaultValue "ms" */
  unit?: TimeUnit;
  /** Timestamp only: an IANA zone name or offset; null for none. @defaultValue null */
  timezone?: string | null;
}

/** What a schema can be given as. */
export type SchemaInput =
  | {
      /** The fields of an apache-arrow `Schema`. */
      readonly fields: readonly unknown[];
    }
  | { readonly [name: string]: ArrowTypeName | FieldSpec | object };

/** A field as this package uses it. */
export interface PooledField {
  /** The field's name, unique in its schema. */
  readonly name: string;
  /** The field's type. */
  readonly type: ArrowTypeName;
  /** Whether the field may hold nulls. */
  readonly nullable: boolean;
  /** Timestamp: its unit; null for other types. */
  readonly unit: TimeUnit | null;
  /** Timestamp: its time zone, or null for none; null for other types. */
  readonly timezone: string | null;
  /** The ColumnBuffer kind holding the values (a dictionary's: its Int32 keys). */
  readonly kind: ColumnKind;
}

const KIND_OF: { readonly [T in ArrowTypeName]: ColumnKind } = {
  int8: "int8",
  int16: "int16",
  int32: "int32",
  int64: "int64",
  uint8: "uint8",
  uint16: "uint16",
  uint32: "uint32",
  uint64: "uint64",
  float32: "float32",
  float64: "float64",
  bool: "bool",
  utf8: "utf8",
  largeUtf8: "largeUtf8",
  binary: "binary",
  largeBinary: "largeBinary",
  dateDay: "date32",
  dateMillisecond: "date64",
  timestamp: "timestamp",
  dictionary: "int32",
};

const TYPE_NAMES = Object.keys(KIND_OF) as readonly ArrowTypeName[];
const UNITS: readonly TimeUnit[] = ["s", "ms", "us", "ns"];

// apache-arrow's Type enum values (stable: they are the IPC format's type ids).
const TYPE_INT = 2;
const TYPE_FLOAT = 3;
const TYPE_BINARY = 4;
const TYPE_UTF8 = 5;
const TYPE_BOOL = 6;
const TYPE_DATE = 8;
const TYPE_TIMESTAMP = 10;
const TYPE_LARGE_BINARY = 19;
const TYPE_LARGE_UTF8 = 20;
const TYPE_DICTIONARY = -1;

/** The fields of a table, in order, with a lookup by name. */
export class PooledSchema {
  /** The fields, in column order. */
  readonly fields: readonly PooledField[];
  readonly #index: ReadonlyMap<string, number>;

  private constructor(fields: PooledField[]) {
    this.fields = Object.freeze(fields);
    this.#index = new Map(fields.map((field, i) => [field.name, i]));
  }

  /**
   * Reads a schema: an apache-arrow `Schema`, or an object mapping names to type names,
   * `FieldSpec`s, apache-arrow `DataType`s or `Field`s. A bad entry is an error naming it
   * (`schema.<name>`).
   */
  static from(input: unknown): PooledSchema {
    if (input instanceof PooledSchema) return input;
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw new InvalidArgTypeError(
        "schema",
        "an apache-arrow Schema or an object of { name: type }",
        input,
      );
    }
    const fields: PooledField[] = [];
    const arrowFields = (input as { fields?: unknown }).fields;
    if (Array.isArray(arrowFields)) {
      arrowFields.forEach((field, i) => {
        const { name, type, nullable } = (field ?? {}) as {
          name?: unknown;
          type?: unknown;
          nullable?: unknown;
        };
        if (typeof name !== "string") {
          throw new InvalidArgTypeError(`schema.fields[${i}].name`, "of type string", name);
        }
        fields.push(fromArrowType(name, type, nullable !== false, `schema.fields[${i}].type`));
      });
    } else {
      for (const [name, entry] of Object.entries(input)) {
        fields.push(fromEntry(name, entry));
      }
    }
    const seen = new Set<string>();
    for (const field of fields) {
      if (seen.has(field.name)) {
        throw new InvalidArgValueError("schema", `has two fields named "${field.name}"`, input);
      }
      seen.add(field.name);
    }
    return new PooledSchema(fields);
  }

  /** @internal A schema of exactly these fields. */
  static of(fields: PooledField[]): PooledSchema {
    return new PooledSchema(fields);
  }

  /** The position of field `name`, or -1. */
  indexOf(name: string): number {
    return this.#index.get(name) ?? -1;
  }

  /** A schema of the named fields, in the order given (unknown names are refused). */
  select(names: readonly string[], argument: string): PooledSchema {
    return new PooledSchema(names.map((name) => this.fields[this.#fieldIndex(name, argument)]!));
  }

  #fieldIndex(name: string, argument: string): number {
    const index = this.indexOf(name);
    if (index < 0) {
      throw new InvalidArgValueError(
        argument,
        `names an unknown column (the columns are ${this.fields.map((f) => `"${f.name}"`).join(", ")})`,
        name,
      );
    }
    return index;
  }

  /** `PooledSchema { name: type, ... }`, for logs. */
  toString(): string {
    return `PooledSchema { ${this.fields.map(describeField).join(", ")} }`;
  }
}

/** `name: timestamp[us, UTC]?` (a `?` for nullable). */
export function describeField(field: PooledField): string {
  const unit =
    field.unit === null
      ? ""
      : `[${field.unit}${field.timezone === null ? "" : `, ${field.timezone}`}]`;
  return `${field.name}: ${field.type}${unit}${field.nullable ? "?" : ""}`;
}

function makeField(
  name: string,
  type: ArrowTypeName,
  nullable: boolean,
  unit: TimeUnit | null,
  timezone: string | null,
): PooledField {
  return Object.freeze({ name, type, nullable, unit, timezone, kind: KIND_OF[type] });
}

function fromEntry(name: string, entry: unknown): PooledField {
  const argument = `schema.${name}`;
  if (typeof entry === "string") {
    if (!(TYPE_NAMES as readonly string[]).includes(entry)) {
      throw new InvalidArgValueError(argument, `must be one of ${TYPE_NAMES.join(", ")}`, entry);
    }
    const type = entry as ArrowTypeName;
    return makeField(name, type, true, type === "timestamp" ? "ms" : null, null);
  }
  if (typeof entry !== "object" || entry === null) {
    throw new InvalidArgTypeError(
      argument,
      "a type name, a field spec or an apache-arrow type",
      entry,
    );
  }
  const record = entry as Record<string, unknown>;
  if (typeof record.typeId === "number") return fromArrowType(name, entry, true, argument);
  if (typeof record.type === "object" && record.type !== null && "typeId" in record.type) {
    // An apache-arrow Field: its own name is ignored in favour of the key.
    return fromArrowType(name, record.type, record.nullable !== false, `${argument}.type`);
  }
  const spec = entry as FieldSpec;
  if (typeof spec.type !== "string" || !(TYPE_NAMES as readonly string[]).includes(spec.type)) {
    throw new InvalidArgValueError(
      `${argument}.type`,
      `must be one of ${TYPE_NAMES.join(", ")}`,
      spec.type,
    );
  }
  for (const key of Object.keys(spec)) {
    if (!["type", "nullable", "unit", "timezone"].includes(key)) {
      throw new InvalidArgValueError(
        `${argument}.${key}`,
        "is not a known field option (expected type, nullable, unit, timezone)",
        record[key],
      );
    }
  }
  if (spec.nullable !== undefined && typeof spec.nullable !== "boolean") {
    throw new InvalidArgTypeError(`${argument}.nullable`, "of type boolean", spec.nullable);
  }
  let unit: TimeUnit | null = null;
  let timezone: string | null = null;
  if (spec.type === "timestamp") {
    unit = spec.unit ?? "ms";
    if (!UNITS.includes(unit)) {
      throw new InvalidArgValueError(
        `${argument}.unit`,
        `must be one of ${UNITS.join(", ")}`,
        unit,
      );
    }
    timezone = spec.timezone ?? null;
    if (timezone !== null && typeof timezone !== "string") {
      throw new InvalidArgTypeError(`${argument}.timezone`, "a string or null", timezone);
    }
  } else if (spec.unit !== undefined || spec.timezone !== undefined) {
    throw new InvalidArgValueError(
      `${argument}.${spec.unit !== undefined ? "unit" : "timezone"}`,
      "is only valid for the timestamp type",
      spec.unit ?? spec.timezone,
    );
  }
  return makeField(name, spec.type, spec.nullable ?? true, unit, timezone);
}

/** A field from an apache-arrow DataType (recognised by shape). */
function fromArrowType(
  name: string,
  type: unknown,
  nullable: boolean,
  argument: string,
): PooledField {
  const t = (type ?? {}) as Record<string, unknown>;
  const unsupported = (): never => {
    throw new InvalidArgValueError(
      argument,
      `is not a supported Arrow type for column "${name}" (supported: ${TYPE_NAMES.join(", ")}; dictionaries of Int32 keys and Utf8 values)`,
      type,
    );
  };
  switch (t.typeId) {
    case TYPE_INT: {
      const bits = t.bitWidth;
      const signed = t.isSigned === true;
      if (bits !== 8 && bits !== 16 && bits !== 32 && bits !== 64) return unsupported();
      return makeField(
        name,
        `${signed ? "int" : "uint"}${bits}` as ArrowTypeName,
        nullable,
        null,
        null,
      );
    }
    case TYPE_FLOAT:
      // Precision: 0 half, 1 single, 2 double.
      if (t.precision === 1) return makeField(name, "float32", nullable, null, null);
      if (t.precision === 2) return makeField(name, "float64", nullable, null, null);
      return unsupported();
    case TYPE_BINARY:
      return makeField(name, "binary", nullable, null, null);
    case TYPE_UTF8:
      return makeField(name, "utf8", nullable, null, null);
    case TYPE_LARGE_BINARY:
      return makeField(name, "largeBinary", nullable, null, null);
    case TYPE_LARGE_UTF8:
      return makeField(name, "largeUtf8", nullable, null, null);
    case TYPE_BOOL:
      return makeField(name, "bool", nullable, null, null);
    case TYPE_DATE:
      // DateUnit: 0 day, 1 millisecond.
      return makeField(name, t.unit === 0 ? "dateDay" : "dateMillisecond", nullable, null, null);
    case TYPE_TIMESTAMP: {
      const unit = UNITS[t.unit as number];
      if (unit === undefined) return unsupported();
      const timezone = typeof t.timezone === "string" ? t.timezone : null;
      return makeField(name, "timestamp", nullable, unit, timezone);
    }
    case TYPE_DICTIONARY: {
      const indices = (t.indices ?? {}) as Record<string, unknown>;
      const values = (t.dictionary ?? {}) as Record<string, unknown>;
      if (
        indices.typeId !== TYPE_INT ||
        indices.bitWidth !== 32 ||
        indices.isSigned !== true ||
        values.typeId !== TYPE_UTF8
      ) {
        return unsupported();
      }
      return makeField(name, "dictionary", nullable, null, null);
    }
    default:
      return unsupported();
  }
}
