import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';
import { registerGetServiceLevels } from './get-service-levels.js';
import { registerListAlerts } from './list-alerts.js';
import { registerPostAlertsEvaluate } from './post-alerts-evaluate.js';

/** Alerts (listed, evaluated on demand) and service levels. */
export function registerAlertRoutes(app: FastifyInstance, deps: HttpDependencies): void {
  registerListAlerts(app, deps);
  registerPostAlertsEvaluate(app, deps);
  registerGetServiceLevels(app, deps);
}
