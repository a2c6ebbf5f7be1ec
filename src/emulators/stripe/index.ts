// The Stripe emulator's public door: start one, read its options and the shapes it answers.
export { startStripeEmulator, type StripeEmulator } from './stripe-emulator.js';
export {
  DEFAULT_CUSTOMERS,
  DEFAULT_FAULTS,
  DEFAULT_SECRET_KEY,
  EMULATED_API_VERSION,
  type FaultSettings,
  type Outage,
  type StripeCustomerSeed,
  type StripeEmulatorOptions,
  type StripeMeterSeed,
} from './emulator-options.js';
export type { EmulatorStats, LoggedRequest, Outcome } from './emulator-stats.js';
export { parseFaultSettings, FaultSettingsError } from './fault-settings.js';
export { ROUTES } from './api-routes.js';
