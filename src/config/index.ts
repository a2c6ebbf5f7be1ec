export type { Config, IngestionLimits } from './config.js';
export type { AccountingSettings, BillingSettings, MeteringSettings } from './config.js';
export {
  DEFAULT_ACCOUNTING_SETTINGS,
  DEFAULT_BILLING_SETTINGS,
  DEFAULT_INGESTION_LIMITS,
  DEFAULT_METERING_SETTINGS,
} from './config-defaults.js';
export { loadConfig, type ConfigSources } from './load-config.js';
export { CONFIG_FILE, SETTINGS, type SettingKey } from './settings.js';
export { createSecretResolver, secretResolverFor, SECRET_ENV_PREFIX, type SecretSources } from './secrets.js';
