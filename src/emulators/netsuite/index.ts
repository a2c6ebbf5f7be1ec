// The NetSuite emulator's public door: start one, read its options and the shapes it answers.
export { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';
export {
  DEFAULT_CHART,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  type FaultSettings,
  type NetSuiteChart,
  type NetSuiteCredentials,
  type NetSuiteEmulatorOptions,
  type Outage,
} from './emulator-options.js';
export type { EmulatorStats, Outcome } from './emulator-stats.js';
export { parseFaultSettings, FaultSettingsError } from './fault-settings.js';
export { EmulatorConfigError, loadEmulatorConfig } from './load-emulator-config.js';
