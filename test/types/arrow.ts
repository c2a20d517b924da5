// Type tests of @lgalloc/arrow's declarations: what the builder's schema and rows accept
// (the row type is not inferred from the schema: `appendRow` takes any object, checked at
// run time, so wrong field values are not type errors; wrong schemas and non-object rows
// are), `using` and `await using` with PooledTable and PooledTableBuilder, and the
// apache-arrow and flechette conversions' declared results.

import type * as Arrow from "apache-arrow";
import {
  PooledSchema,
  PooledTable,
  PooledTableBuilder,
  pooledTableFromArrays,
  readIPCFile,
  readIPCFileSync,
  type PooledRecordBatch,
  type SchemaInput,
} from "@lgalloc/arrow";
import { toFlechetteTable } from "@lgalloc/arrow/flechette";
import { expectType } from "./expect";

export function builderSchemas(): void {
  // Plain specs: bare type names, field specs, and apache-arrow objects by shape.
  const spec = {
    price: "float64",
    name: { type: "utf8", nullable: false },
    at: { type: "timestamp", unit: "us", timezone: "UTC" },
  } as const satisfies SchemaInput;
  using builder = new PooledTableBuilder(spec, { batchRows: 1024, batchBytes: 2 ** 20 });
  expectType<PooledSchema>()(builder.schema);
  expectType<PooledTableBuilder>()(builder.appendRow({ price: 1, name: "a", at: 0 }));
  expectType<PooledTableBuilder>()(builder.appendRows([{ price: 2, name: "b", at: 1 }]));
  expectType<PooledTableBuilder>()(
    builder.appendColumns({ price: new Float64Array(2), name: ["c", "d"], at: [2, 3] }),
  );
  expectType<PooledRecordBatch>()(builder.flush());
  expectType<PooledTable>()(builder.finish());

  const fromSchema = new PooledTableBuilder(PooledSchema.from(spec), {
    onBatch: (batch) => expectType<PooledRecordBatch>()(batch),
  });
  fromSchema.dispose();

  // @ts-expect-error not a supported type name
  void new PooledTableBuilder({ price: "float128" });
  // @ts-expect-error a schema is an object of fields, not a type name
  void new PooledTableBuilder("float64");
  // @ts-expect-error the options' batchRows is a number
  void new PooledTableBuilder({ x: "int32" }, { batchRows: "1024" });

  // Not rejected by the types: a field's value may be any object (an apache-arrow Field or
  // DataType is recognised by shape), so a wrong field spec compiles and is refused by the
  // constructor at run time.
  const checkedAtRunTime: SchemaInput = { x: { type: "decimal", nullable: "no" } };
  void checkedAtRunTime;
}

export function builderRows(builder: PooledTableBuilder): void {
  // The row type is `object`: a row is any object, its fields checked at run time.
  builder.appendRow({ anything: "goes", at: new Date() });
  // @ts-expect-error a row is an object, not a number
  builder.appendRow(42);
  // @ts-expect-error a row is an object, not an array of values
  builder.appendRows({ price: 1 });
  // @ts-expect-error columns are array-likes or iterables of values
  builder.appendColumns({ price: 1 });
}

export function fromArrays(): PooledTable {
  const table = pooledTableFromArrays(
    { f: new Float64Array(3), s: ["a", null, "c"] },
    { types: { s: "utf8" } },
  );
  // @ts-expect-error columns are an object of columns, not one column
  void pooledTableFromArrays(new Float64Array(3));
  return table;
}

export function tables(): number {
  using table = readIPCFileSync("table.arrow");
  expectType<PooledTable>()(table);
  expectType<number>()(table.numRows);
  expectType<readonly PooledRecordBatch[]>()(table.batches);
  const arrowTable = table.toArrowTable();
  expectType<Arrow.Table>()(arrowTable);
  expectType<Arrow.Vector>()(table.toArrowVector("f"));
  // apache-arrow's own Table API on the view, no cast needed.
  const column: Arrow.Vector | null = arrowTable.getChild("f");
  expectType<object>()(toFlechetteTable(table));
  const all: Disposable[] = [table];
  // @ts-expect-error toArrowTable takes no arguments
  table.toArrowTable("f");
  // @ts-expect-error the constructor takes a private key first: tables come from builders and readers
  void new PooledTable(PooledSchema.from({ f: "float64" }), []);
  return all.length + (column?.length ?? 0);
}

export async function asyncTables(): Promise<number> {
  await using table = await readIPCFile("table.arrow");
  expectType<PooledTable>()(table);
  const asyncDisposable: AsyncDisposable = table;
  void asyncDisposable;
  return table.numCols;
}
