import type { App } from '../main.js';
import { DEFAULT_ALERT_SETTINGS } from '../modules/alerts/index.js';
import { startStageLoop, type StageLoop } from './stage-loop.js';

/**
 * Evaluates every alert rule and delivers the notifications due, every `alerts.evaluateEverySeconds`
 * (tests pass a shorter interval). Several processes may run it on one PostgreSQL: evaluations take
 * turns on an advisory lock and an open alert is unique per (rule, subject); a notification is claimed
 * under a lease, so each is sent by one process. A failed step is logged and retried by the stage loop.
 */
export function startAlertWorker(app: App, { everyMs }: { everyMs?: number } = {}): StageLoop {
  const settings = app.config.alerts ?? DEFAULT_ALERT_SETTINGS;
  return startStageLoop({
    name: 'alerts',
    step: async () => {
      const result = await app.alerts.evaluate();
      for (const alert of result.fired)
        app.logger.warn({ rule: alert.rule, subject: alert.subject, alert: alert.id }, `alert fired: ${alert.summary}`);
      for (const alert of result.resolved)
        app.logger.info({ rule: alert.rule, subject: alert.subject, alert: alert.id }, 'alert resolved');
      await app.alerts.deliver();
      return false;
    },
    pollIntervalMs: everyMs ?? settings.evaluateEverySeconds * 1000,
    logger: app.logger,
  });
}
