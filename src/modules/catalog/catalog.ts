// The catalog as a validated document: what one catalog file declares, after `validateCatalog`.
// Every reference in it resolves and every currency is ISO 4217; see README.md for the invariants.
import type { PostingMode, TargetDefinition } from '../connectors/index.js';

export const CATALOG_API_VERSION = 'meterbridge/v1';

export const AGGREGATIONS = ['sum', 'count', 'max', 'min', 'avg', 'unique_count', 'latest'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export const CHARGE_MODELS = [
  'flat',
  'per_unit',
  'package',
  'graduated',
  'volume',
  'percentage',
  'graduated_percentage',
] as const;
export type ChargeModel = (typeof CHARGE_MODELS)[number];

export const BILLING_PERIODS = ['month', 'quarter', 'year'] as const;
export type BillingPeriod = (typeof BILLING_PERIODS)[number];

export const LATE_POLICIES = ['roll_forward', 'memo', 'reissue'] as const;
export type LatePolicy = (typeof LATE_POLICIES)[number];
/** `commit`: the customer pays the amount up front (a line on the first invoice it covers); `grant`: given, not invoiced. */
export const CREDIT_KINDS = ['commit', 'grant'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

export interface LegalEntity {
  code: string;
  name: string;
  /** Functional currency, ISO 4217. */
  currency: string;
  region: string;
  /**
   * A label for the ERP holding this entity's ledger, from catalogs written before `accounting`; never
   * resolved. When `accounting` is given too, it must equal `accounting.target`.
   */
  erpTarget?: string;
  /** How this entity's documents are posted; an entity without it is not posted. */
  accounting?: Accounting;
}

/** Which date a posting carries: the document's own date, or the last day of the period it bills. */
export const POSTING_DATES = ['document', 'period_end'] as const;
export type PostingDate = (typeof POSTING_DATES)[number];

/** The target's dimensions every posting of the entity carries (ids as the ERP knows them). */
export const DIMENSIONS = ['subsidiary', 'department', 'class', 'location'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/**
 * The GL accounts of one legal entity, as account numbers or ids of its ERP. Revenue resolves per charge:
 * the charge's own account, else its meter's, else the default (`revenueAccountFor`).
 */
export interface AccountMap {
  receivable: string;
  revenue: { default?: string; charges?: Record<string, string>; meters?: Record<string, string> };
  /** By tax region (as in a customer's `taxRegion`). */
  taxPayable?: Record<string, string>;
  discount?: string;
  /** Accrued revenue of usage not yet invoiced. */
  unbilled?: string;
}

export interface Accounting {
  /** Key of a declared target. */
  target: string;
  mode: PostingMode;
  /** Filled in as `document` when the file leaves it out. */
  postingDate: PostingDate;
  accounts: AccountMap;
  dimensions?: Partial<Record<Dimension, string>>;
}

export interface Customer {
  key: string;
  name: string;
  /** Code of a declared legal entity. */
  legalEntity: string;
  /** Billing currency, ISO 4217; may differ from the legal entity's functional currency. */
  currency: string;
  taxRegion: string;
  /** Event subjects besides `key` that resolve to this customer; a subject belongs to one customer only. */
  aliases?: string[];
  /** Ids of this customer in other systems (crm, billing, erp, ...). */
  externalIds?: Record<string, string>;
}

/** The tax of one tax region, printed as a tax line on the invoices of the region's customers. */
export interface TaxRate {
  /** Tax region label, as in a customer's `taxRegion` (`US-CA`, `DE`); unique in the catalog. */
  region: string;
  /** Percent as a decimal string from 0 to 100 ("7.25" is 7.25 %). */
  rate: string;
  /** Label of the invoice's tax line, such as "California sales tax". */
  name: string;
}

export type FilterScalar = string | number | boolean | null;
/** A value the event's data must equal, or `{ in: [...] }`: one of several values. */
export type FilterCondition = FilterScalar | { in: FilterScalar[] };

export interface Meter {
  key: string;
  eventType: string;
  /** Keys are dot paths into the event's data; every condition must hold. */
  filter?: Record<string, FilterCondition>;
  /** Dot path into the event's data; absent only when aggregation is `count`. */
  valuePath?: string;
  aggregation: Aggregation;
  groupBy?: string[];
  unit: string;
  /** Filled in as `false` when the file leaves it out. */
  allowNegative: boolean;
  /** RFC 3339: when this definition starts to apply (a changed meter does not rewrite earlier usage). */
  effectiveFrom?: string;
}

export interface Charge {
  key: string;
  name?: string;
  /** Key of a declared meter; every model but `flat` needs one. */
  meter?: string;
  model: ChargeModel;
  /**
   * Price per ISO 4217 currency: a decimal string (the model's main price: unit price, flat amount or package
   * price) or an object with the model's price fields; see charge-pricing.ts and docs/pricing.md.
   */
  prices?: Record<string, string | Record<string, unknown>>;
  /** Currency-independent settings of the model (free units, package size, rounding, rate, ...). */
  config?: Record<string, unknown>;
}

/** What a plan's subscriptions do with late usage unless a subscription says otherwise (docs/late-usage.md). */
export interface LateUsageTerms {
  latePolicy?: LatePolicy;
  /**
   * Amount (decimal string, the customer's currency) below which late usage rolls forward whatever the
   * policy: a memo for a few cents helps no one.
   */
  lateMaterialityThreshold?: string;
}

/**
 * Which billing platform bills the customer for a plan's or subscription's documents, handed over at
 * each period close (docs/connectors/stripe.md). `invoices`: `target`, the platform issues the customer's
 * invoice instead of Meterbridge (Meterbridge's document stays the record behind it); `meterbridge`,
 * Meterbridge's invoice is the customer's and the platform gets its charges besides, for its next invoice.
 */
export interface BilledIn {
  /** Key of a declared target of a billing kind (stripe). */
  target: string;
  invoices: 'target' | 'meterbridge';
}

export interface Plan extends LateUsageTerms {
  key: string;
  name: string;
  currency?: string;
  charges: Charge[];
  billedIn?: BilledIn;
}

/**
 * Prepaid credit of a contract, drawn down by its usage charges invoice by invoice until used up or
 * expired (docs/credits.md). Amounts are in the customer's currency.
 */
export interface PrepaidCredit {
  key: string;
  name?: string;
  kind: CreditKind;
  /** Decimal string, more than 0, at most the currency's minor-unit places. */
  amount: string;
  /** RFC 3339; defaults to the subscription's start. Periods ending at or before it draw nothing. */
  effectiveFrom?: string;
  /** RFC 3339; periods starting at or after it draw nothing, and what is left is forfeited. */
  expiresAt?: string;
  /** Charge keys of the plan whose amounts it pays; by default every usage (non-flat) charge. */
  charges?: string[];
  /** Lower draws first; then the earliest expiry, then the key. Default 0. */
  priority?: number;
}

/** A contract's own terms: a discount on its period's charges, and charges priced its own way. */
export interface SubscriptionOverrides {
  /** Percent (0-100, a decimal string) off the period's usage, flat fees and adjustments (not tax). */
  discountPercent?: string;
  /** By charge key of the plan: prices replace the plan's (per currency given), config settings are merged over it. */
  charges?: Record<string, { prices?: Charge['prices']; config?: Record<string, unknown> }>;
}

export interface Subscription extends LateUsageTerms {
  key: string;
  customer: string;
  plan: string;
  /** RFC 3339; the subscription is active on [start, end). */
  start: string;
  end?: string;
  billingPeriod: BillingPeriod;
  /** Day of the month a period starts on (1-28, so every month has it). */
  anchorDay?: number;
  /** What this contract prices differently from its plan. */
  overrides?: SubscriptionOverrides;
  /** Prepaid credits and commits of this contract, drawn down by its usage. */
  credits?: PrepaidCredit[];
  /** Wins over the plan's `billedIn`. */
  billedIn?: BilledIn;
}

export interface Catalog {
  apiVersion: typeof CATALOG_API_VERSION;
  /**
   * Where postings go, limits filled in. Absent (not `[]`) when the file declares none, so catalogs written
   * before targets existed validate, store and checksum exactly as before.
   */
  targets?: TargetDefinition[];
  legalEntities: LegalEntity[];
  customers: Customer[];
  /** When any rate is declared, every customer's tax region has one; none at all means invoices carry no tax. */
  taxRates: TaxRate[];
  meters: Meter[];
  plans: Plan[];
  subscriptions: Subscription[];
}
