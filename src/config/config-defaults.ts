import type { AccountingSettings, BillingSettings, IngestionLimits, MeteringSettings } from './config.js';
import { defaultConfig } from './settings.js';

// Each default is stated once, in SETTINGS; these are the sections it fills, for callers (and tests)
// that build a configuration of their own.
const DEFAULTS = defaultConfig();

export const DEFAULT_INGESTION_LIMITS: IngestionLimits = Object.freeze(DEFAULTS.ingestion);
export const DEFAULT_METERING_SETTINGS: MeteringSettings = Object.freeze(DEFAULTS.metering);
export const DEFAULT_BILLING_SETTINGS: BillingSettings = Object.freeze(DEFAULTS.billing);
// Filled by SETTINGS like every other section; `as` only because Config leaves the section optional.
export const DEFAULT_ACCOUNTING_SETTINGS: AccountingSettings = Object.freeze(DEFAULTS.accounting as AccountingSettings);
