export type { Config, IngestionLimits } from './config.js';
export {
  DEFAULT_BILLING_SETTINGS,
  DEFAULT_INGESTION_LIMITS,
  DEFAULT_METERING_SETTINGS,
  type BillingSettings,
  type MeteringSettings,
} from './config.js';
export { loadConfig, type ConfigSources } from './load-config.js';
export { CONFIG_FILE, SETTINGS, type SettingKey } from './settings.js';
