export type { Compatibility, RegisterSchemaInput, RegisterSchemaResult, SchemaVersion, SchemaVersionSummary } from './schemas.js';
export { createSchemas, type Schemas } from './service.js';
export { compileDataSchema } from './schema-compiler.js';
export { findBreakingChanges } from './compatibility.js';
