// The Oracle Fusion emulator's public door: start one, read its options and what it holds.
export { startOracleFusionEmulator, type OracleFusionEmulator } from './oracle-fusion-emulator.js';
export {
  DEFAULT_CATEGORIES,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  DEFAULT_JOB_MS,
  DEFAULT_LEDGERS,
  DEFAULT_SOURCES,
  type FaultSettings,
  type OracleCredentials,
  type OracleFusionEmulatorOptions,
  type OracleLedger,
} from './emulator-options.js';
export { FaultSettingsError, parseRuntimeSettings, type OracleRuntimeSettings } from './fault-settings.js';
export type { Job, StoredBatch, StoredInterfaceRow } from './pod-store.js';
export { EmulatorConfigError, loadOracleEmulatorConfig } from './load-emulator-config.js';
