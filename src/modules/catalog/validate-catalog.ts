import type { ValidateFunction } from 'ajv/dist/2020.js';
import { findImpreciseDecimals } from '../../platform/decimal-text.js';
import type { FieldError } from '../../platform/errors.js';
import { DEFAULT_TARGET_LIMITS, type TargetDefinition } from '../connectors/index.js';
import type { Catalog, LegalEntity } from './catalog.js';
import { compileCatalogSchema } from './catalog-ajv.js';
import { catalogRuleErrors } from './catalog-rules.js';
import { CATALOG_SCHEMA } from './catalog-schema.js';
import { schemaFieldErrors } from './schema-errors.js';

export type ValidateCatalogResult = { ok: true; catalog: Catalog } | { ok: false; errors: FieldError[] };

let compiled: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  compiled ??= compileCatalogSchema(CATALOG_SCHEMA);
  return compiled;
}

/**
 * Checks a parsed catalog document. Schema errors come first and alone: semantic rules assume the shape
 * is right; so do decimals too precise to compute with exactly (MAX_SIGNIFICANT_DIGITS). Otherwise every semantic error is reported together, each with the JSON Pointer of its place.
 * The catalog returned is a copy with defaults filled in; the document is never changed.
 */
export function validateCatalog(document: unknown): ValidateCatalogResult {
  const validate = schemaValidator();
  if (!validate(document)) return { ok: false, errors: schemaFieldErrors(validate.errors ?? []) };
  // Before any rule computes with them: a decimal the pricing arithmetic would round is refused, not rounded.
  const imprecise = findImpreciseDecimals(document);
  if (imprecise.length > 0) return { ok: false, errors: imprecise };
  const catalog = withDefaults(document as Partial<Catalog> & Pick<Catalog, 'apiVersion'>);
  const errors = catalogRuleErrors(catalog);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, catalog };
}

function withDefaults(document: Partial<Catalog> & Pick<Catalog, 'apiVersion'>): Catalog {
  const copy = structuredClone(document);
  return {
    apiVersion: copy.apiVersion,
    // Only when declared: a catalog without targets stays what it was before targets existed.
    ...(copy.targets && { targets: copy.targets.map(withTargetDefaults) }),
    legalEntities: (copy.legalEntities ?? []).map(withAccountingDefaults),
    customers: copy.customers ?? [],
    taxRates: copy.taxRates ?? [],
    meters: (copy.meters ?? []).map((meter) => ({ ...meter, allowNegative: meter.allowNegative ?? false })),
    plans: copy.plans ?? [],
    subscriptions: copy.subscriptions ?? [],
  };
}

function withTargetDefaults(target: TargetDefinition): TargetDefinition {
  return { ...target, limits: { ...DEFAULT_TARGET_LIMITS, ...target.limits } };
}

function withAccountingDefaults(entity: LegalEntity): LegalEntity {
  if (!entity.accounting) return entity;
  return { ...entity, accounting: { ...entity.accounting, postingDate: entity.accounting.postingDate ?? 'document' } };
}
