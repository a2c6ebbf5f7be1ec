import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
// ajv-formats is CommonJS: under NodeNext its plugin is the `default` property of the imported object.
import ajvFormats from 'ajv-formats';
import type { FieldError } from '../../platform/errors.js';
import type { Catalog } from './catalog.js';
import { catalogRuleErrors } from './catalog-rules.js';
import { CATALOG_SCHEMA } from './catalog-schema.js';
import { schemaFieldErrors } from './schema-errors.js';

export type ValidateCatalogResult = { ok: true; catalog: Catalog } | { ok: false; errors: FieldError[] };

let compiled: ValidateFunction | undefined;

// Compiled on first use rather than at import (no side effects at import time), then kept: the schema is
// fixed, so one instance never grows. Strict mode throws, so a mistake in our own schema fails every test.
// strictRequired is off because it cannot see the `properties` beside an `if`/`else` (ajv-validator/ajv#1571),
// and refuses the meter's `else: { required: ['valuePath'] }`.
function schemaValidator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, ownProperties: true, allowUnionTypes: true });
    ajvFormats.default(ajv, { mode: 'full', keywords: false });
    compiled = ajv.compile(CATALOG_SCHEMA);
  }
  return compiled;
}

/**
 * Checks a parsed catalog document. Schema errors come first and alone: semantic rules assume the shape
 * is right. Otherwise every semantic error is reported together, each with the JSON Pointer of its place.
 * The catalog returned is a copy with defaults filled in; the document is never changed.
 */
export function validateCatalog(document: unknown): ValidateCatalogResult {
  const validate = schemaValidator();
  if (!validate(document)) return { ok: false, errors: schemaFieldErrors(validate.errors ?? []) };
  const catalog = withDefaults(document as Partial<Catalog> & Pick<Catalog, 'apiVersion'>);
  const errors = catalogRuleErrors(catalog);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, catalog };
}

function withDefaults(document: Partial<Catalog> & Pick<Catalog, 'apiVersion'>): Catalog {
  const copy = structuredClone(document);
  return {
    apiVersion: copy.apiVersion,
    legalEntities: copy.legalEntities ?? [],
    customers: copy.customers ?? [],
    meters: (copy.meters ?? []).map((meter) => ({ ...meter, allowNegative: meter.allowNegative ?? false })),
    plans: copy.plans ?? [],
    subscriptions: copy.subscriptions ?? [],
  };
}
