// Public entry point of @lgalloc/arrow. It only re-exports; each concept lives in its own
// module. flechette support has its own entry point (@lgalloc/arrow/flechette).

/**
 * Apache Arrow tables on pooled regions of `@lgalloc/core`: `PooledTableBuilder` and
 * `pooledTableFromArrays` build them, `PooledTable#toArrowTable` views them as apache-arrow
 * tables without a copy, and `readIPCFile` / `writeIPC` read and write Arrow IPC past 2 GiB.
 *
 * @packageDocumentation
 * @module @lgalloc/arrow
 */
export { bindArrow, ARROW_VERSION_RANGE } from "./arrow-module";
export type { ArrowModule } from "./arrow-module";
export { PooledSchema, describeField } from "./schema";
export type { ArrowTypeName, FieldSpec, PooledField, SchemaInput } from "./schema";
export { PooledTableBuilder } from "./table-builder";
export type { ColumnInputValues, PooledTableBuilderOptions } from "./table-builder";
export { PooledRecordBatch } from "./record-batch";
export { PooledTable } from "./table";
export { pooledTableFromArrays } from "./from-arrays";
export type { PooledTableFromArraysOptions } from "./from-arrays";
export { ArrowUnavailableError, InvalidIpcError } from "./errors";
export type { ArrowErrorLocation } from "./errors";
export { writeIPC, MAX_WRITE_BYTES } from "./ipc-writer";
export type { IPCTarget, WriteIPCOptions } from "./ipc-writer";
export { readIPCFile, readIPCFileSync, readIPCStream, MAX_READ_BYTES } from "./ipc-reader";
export type { ReadIPCOptions } from "./ipc-reader";
export { releaseArrowVector, toArrowVectorTakingOver } from "./vector-handover";
export { toArrowVectorPinned } from "./vector-pin";
