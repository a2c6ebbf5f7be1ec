// The Business Central emulator's public door: start one, read its options and the shapes it answers.
export {
  startBusinessCentralEmulator,
  type BusinessCentralEmulator,
  type LedgerEntry,
} from './business-central-emulator.js';
export {
  DEFAULT_CHART,
  DEFAULT_COMPANY,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  type BusinessCentralChart,
  type BusinessCentralCompany,
  type BusinessCentralCredentials,
  type BusinessCentralEmulatorOptions,
  type Dimension,
  type FaultSettings,
  type GlAccount,
  type Item,
  type Outage,
} from './emulator-options.js';
export type { EmulatorStats, Outcome } from './emulator-stats.js';
export { ENTITY_SPECS, type EntitySpec, type FieldSpec } from './entity-specs.js';
export { parseFaultSettings, FaultSettingsError } from './fault-settings.js';
export { EmulatorConfigError, loadEmulatorConfig } from './load-emulator-config.js';
export { BC_SCOPE } from './token-endpoint.js';
