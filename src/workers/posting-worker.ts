import type { App } from '../main.js';
import { startStageLoop, type StageLoop } from './stage-loop.js';

const POLL_MS = 1000;

/**
 * Delivers due postings: pass after pass while there was something to settle, every second when idle.
 * Every pass is its own transactions, so several processes can run it on one PostgreSQL.
 */
export function startPostingWorker(
  app: App,
  { pollIntervalMs = POLL_MS }: { pollIntervalMs?: number } = {},
): StageLoop {
  return startStageLoop({
    name: 'posting',
    step: async () => {
      const summary = await app.dispatcher.runOnce();
      if (summary.dead > 0) app.logger.warn({ dead: summary.dead }, 'postings moved to the dead-letter queue');
      return summary.delivered + summary.adopted + summary.failed + summary.dead > 0;
    },
    pollIntervalMs,
    logger: app.logger,
  });
}
