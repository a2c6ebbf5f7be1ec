import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
// ajv-formats is CommonJS: under NodeNext its plugin is the `default` property of the imported object.
import ajvFormats from 'ajv-formats';

/**
 * Compiles (part of) the catalog schema. Callers compile on first use rather than at import (no side
 * effects at import time), then keep the function: the schema is fixed, so one instance never grows.
 * Strict mode throws, so a mistake in our own schema fails every test. strictRequired is off because it
 * cannot see the `properties` beside an `if`/`else` (ajv-validator/ajv#1571), and refuses the meter's
 * `else: { required: ['valuePath'] }`. `verbose` keeps each error's schema, for messages taken from its description.
 */
export function compileCatalogSchema(schema: object, options: { verbose?: boolean } = {}): ValidateFunction {
  const ajv = new Ajv2020({
    ...options,
    allErrors: true,
    strict: true,
    strictRequired: false,
    ownProperties: true,
    allowUnionTypes: true,
  });
  ajvFormats.default(ajv, { mode: 'full', keywords: false });
  return ajv.compile(schema);
}
