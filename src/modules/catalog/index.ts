export {
  AGGREGATIONS,
  BILLING_PERIODS,
  CATALOG_API_VERSION,
  CHARGE_MODELS,
  LATE_POLICIES,
  type Aggregation,
  type BillingPeriod,
  type Catalog,
  type Charge,
  type ChargeModel,
  type Customer,
  type FilterCondition,
  type FilterScalar,
  type LatePolicy,
  type LegalEntity,
  type Meter,
  type Plan,
  type Subscription,
} from './catalog.js';
export { CATALOG_SCHEMA } from './catalog-schema.js';
export { parseCatalogFile } from './catalog-file.js';
export { validateCatalog, type ValidateCatalogResult } from './validate-catalog.js';
export { loadCatalog } from './load-catalog.js';
export { ISO_4217_MINOR_UNITS, isIso4217Currency, minorUnitDigits } from './iso-4217.js';
