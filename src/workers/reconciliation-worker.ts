import type { App } from '../main.js';
import { startStageLoop, type StageLoop } from './stage-loop.js';

/**
 * Makes queued reconciliation runs (`POST /v1/reconciliations` with `Prefer: respond-async`, and those
 * the schedule queues every `reconciliation.everyHours`), one at a time, and takes over a run whose
 * process died once its lease lapses. Several processes may run it: a run is claimed under a lease
 * (`for update skip locked`), only the attempt holding it keeps its findings, and the schedule's
 * processes take turns, so each period is queued once.
 */
export function startReconciliationWorker(app: App, { everyMs = 2000 }: { everyMs?: number } = {}): StageLoop {
  const everyHours = app.config.reconciliation?.everyHours ?? 0;
  // Stopping must not wait for a month's read-back: the run in progress stops reading and is queued again.
  const stopping = new AbortController();
  const loop = startStageLoop({
    name: 'reconciliation',
    step: async () => {
      if (everyHours > 0 && !stopping.signal.aborted)
        for (const period of await app.reconciliations.schedule(everyHours))
          app.logger.info({ period }, 'reconciliation queued by the schedule');
      return app.reconciliations.runNext(
        (run, error) =>
          app.logger.warn(
            { reconciliation: run.id, attempt: run.attempt, err: error },
            run.requeued
              ? 'reconciliation attempt failed; queued again'
              : 'reconciliation failed after its last attempt',
          ),
        stopping.signal,
      );
    },
    pollIntervalMs: everyMs,
    logger: app.logger,
  });
  return {
    stop() {
      stopping.abort();
      return loop.stop();
    },
  };
}
