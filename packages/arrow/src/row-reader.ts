// The per-schema row readers of `PooledTableBuilder#appendRow`: one function, compiled once
// per builder, that reads every column's value of an object row by name (or of an array row
// by position) into a reused array, in schema order, each property exactly once.
//
// Why compiled: a loop doing `row[names[i]]` is a keyed load whose key changes at every
// step, which V8 serves from its megamorphic stub cache (measured: about a third of the
// per-row time of appendRow at three columns); `row["f"]` in generated code is a named load
// with an inline cache of its own, as fast as hand-written code for that schema. The names
// enter the source only as JSON string literals (JSON.stringify escapes every character
// that could end the literal), so no column name can inject code.

/** Reads a row's values into `values` (schema order). */
export type RowReader = (row: object, values: unknown[]) => void;

/** Schemas wider than this read through the generic loop (one function of that size is plenty). */
const MAX_COMPILED_COLUMNS = 256;

/** Compiles the reader of object rows (`{ name: value }`) for these column names. */
export function compileObjectRowReader(names: readonly string[]): RowReader {
  if (names.length > MAX_COMPILED_COLUMNS) return genericObjectReader(names);
  const body = names.map((name, i) => `values[${i}] = row[${JSON.stringify(name)}];`).join("\n");
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the file comment
  return new Function("row", "values", `"use strict";\n${body}`) as RowReader;
}

/** Compiles the reader of array rows (`[value, ...]`, already checked to be of the right length). */
export function compileArrayRowReader(columns: number): RowReader {
  if (columns > MAX_COMPILED_COLUMNS) return genericArrayReader(columns);
  const body = Array.from({ length: columns }, (_, i) => `values[${i}] = row[${i}];`).join("\n");
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- see the file comment
  return new Function("row", "values", `"use strict";\n${body}`) as RowReader;
}

function genericObjectReader(names: readonly string[]): RowReader {
  return (row, values) => {
    const record = row as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) values[i] = record[names[i]!];
  };
}

function genericArrayReader(columns: number): RowReader {
  return (row, values) => {
    const array = row as unknown[];
    for (let i = 0; i < columns; i++) values[i] = array[i];
  };
}
