// The alerts module's one public door.
export type {
  Alert,
  AlertFilter,
  AlertState,
  EvaluationContext,
  EvaluationResult,
  Finding,
  Observation,
  RuleEvaluator,
} from './alerts.js';
export { ALERT_STATES } from './alerts.js';
export {
  DEFAULT_ALERT_SETTINGS,
  readAlertSettings,
  type AlertSettings,
  type AlertRuleSettings,
  type AlertWebhookSettings,
  type SilentMeterSettings,
} from './alert-settings.js';
export { booleanField, decimalIn, integerIn, readFields, type FieldReader } from './settings-section.js';
export { createAlerts, type Alerts, type AlertsDependencies, type AlertsStatus } from './service.js';
export { switchedOff, type RuleRegistry } from './rule-registry.js';
export type { AlertParams } from './alert-filter.js';
export { toApiAlert, type ApiAlert } from './to-api-alert.js';
export { registerAlertMetrics } from './alert-metrics.js';
export { createRejectionRecorder, bothObservers, type RejectionRecorder } from './rejection-recorder.js';
export { notificationKey } from './notifier.js';
export { SIGNATURE_HEADER, signAlertBody } from './webhook-signature.js';
export type { MeterSource, MeterTraffic } from './rules/silent-meter.js';
