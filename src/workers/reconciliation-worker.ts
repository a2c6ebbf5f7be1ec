import type { App } from '../main.js';
import { startStageLoop, type StageLoop } from './stage-loop.js';

/**
 * Makes queued reconciliation runs (`POST /v1/reconciliations` with `Prefer: respond-async`), one at a
 * time, and takes over a run whose process died once its lease lapses. Several processes may run it:
 * a run is claimed under a lease (`for update skip locked`), and only the attempt holding it keeps its
 * findings.
 */
export function startReconciliationWorker(app: App, { everyMs = 2000 }: { everyMs?: number } = {}): StageLoop {
  return startStageLoop({
    name: 'reconciliation',
    step: () => app.reconciliations.runNext(),
    pollIntervalMs: everyMs,
    logger: app.logger,
  });
}
