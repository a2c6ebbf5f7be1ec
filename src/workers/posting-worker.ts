import type { App } from '../main.js';
import { startStageLoop, type StageLoop } from './stage-loop.js';

const POLL_MS = 1000;

/**
 * Delivers due postings continuously: each step claims what the targets' limits allow and waits until a
 * delivery settles, so a freed slot is claimed again at once; every second when idle. Every claim and
 * settle is its own transaction, so several processes can run it on one PostgreSQL. Stopping waits for
 * the deliveries in flight to settle.
 */
export function startPostingWorker(
  app: App,
  { pollIntervalMs = POLL_MS }: { pollIntervalMs?: number } = {},
): StageLoop {
  const loop = startStageLoop({
    name: 'posting',
    step: async () => {
      const more = await app.dispatcher.advance(pollIntervalMs);
      const { dead } = app.dispatcher.takeSummary();
      if (dead > 0) app.logger.warn({ dead }, 'postings moved to the dead-letter queue');
      return more;
    },
    pollIntervalMs,
    logger: app.logger,
  });
  return {
    async stop() {
      await loop.stop();
      await app.dispatcher.drain();
    },
  };
}
