// The service-levels module's one public door.
export {
  DEFAULT_SERVICE_LEVEL_SETTINGS,
  readServiceLevelSettings,
  type ServiceLevelSettings,
} from './service-level-settings.js';
export type { Measurement, ObjectiveEvaluator, ObjectiveReport, ServiceLevelReport } from './service-levels.js';
export { createServiceLevels, registerServiceLevelMetrics, type ServiceLevels } from './service.js';
