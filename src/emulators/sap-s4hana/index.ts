// The SAP S/4HANA Cloud emulator's public door: start one, read its options and the shapes it answers.
export { startSapEmulator, netByAccount, SOAP_PATH, ODATA_PATH, type SapEmulator } from './sap-emulator.js';
export {
  DEFAULT_CHART,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  type FaultSettings,
  type Outage,
  type SapChart,
  type SapCompanyCode,
  type SapCredentials,
  type SapEmulatorOptions,
  type TlsOptions,
} from './emulator-options.js';
export type { EmulatorStats, Outcome } from './emulator-stats.js';
export type { StoredDocument, StoredItem } from './journal-store.js';
export { BY_HAND_USER, HandEditError, type HandEditTarget, type MoveRequest } from './hand-edits.js';
export { parseFaultSettings, FaultSettingsError } from './fault-settings.js';
export { EmulatorConfigError, loadEmulatorConfig } from './load-emulator-config.js';
