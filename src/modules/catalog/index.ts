export {
  AGGREGATIONS,
  BILLING_PERIODS,
  CATALOG_API_VERSION,
  CHARGE_MODELS,
  CREDIT_KINDS,
  DIMENSIONS,
  LATE_POLICIES,
  POSTING_DATES,
  type Accounting,
  type AccountMap,
  type BilledIn,
  type Aggregation,
  type BillingPeriod,
  type Catalog,
  type Charge,
  type ChargeModel,
  type CreditKind,
  type Customer,
  type Dimension,
  type FilterCondition,
  type FilterScalar,
  type LatePolicy,
  type LateUsageTerms,
  type LegalEntity,
  type Meter,
  type Plan,
  type PostingDate,
  type PrepaidCredit,
  type Subscription,
  type SubscriptionOverrides,
  type TaxRate,
} from './catalog.js';
export { CATALOG_SCHEMA } from './catalog-schema.js';
export { billedInOf } from './billed-in-rules.js';
export { revenueAccountFor } from './revenue-account.js';
export {
  chargePrice,
  chargeSettings,
  checkChargePricing,
  contractCharge,
  CONFIG_FIELDS,
  PRICE_FIELDS,
  type ChargePrice,
  type ChargeSettings,
  type ModelPrice,
  type PercentageTier,
  type QuantityRounding,
  type Tier,
} from './charge-pricing.js';
export { parseCatalogFile } from './catalog-file.js';
export { validateCatalog, type ValidateCatalogResult } from './validate-catalog.js';
export { validateCharge } from './validate-charge.js';
export { loadCatalog } from './load-catalog.js';
export {
  CATALOG_KINDS,
  diffCatalogs,
  isEmptyDiff,
  objectKey,
  type CatalogDiff,
  type CatalogKind,
  type ChangedObject,
  type FieldChange,
  type KindDiff,
} from './catalog-diff.js';
export { METER_DEFINITION_FIELDS, unannouncedMeterChanges } from './meter-changes.js';
export type { CatalogVersion } from './repository.js';
export {
  catalogChecksum,
  createCatalog,
  type ApplyCatalogResult,
  type CatalogDependencies,
  type CatalogDiffResult,
  type CatalogService,
} from './service.js';
export { cachedCatalogVersions, type DraftedCatalog } from './catalog-version-cache.js';
