import type { App } from '../main.js';
import { startStageLoop, type StageLoop } from './stage-loop.js';

/** The metering stage as a loop: batch after batch while the log has more, polling when caught up. */
export function startMeteringWorker(app: App): StageLoop {
  const { batchSize, pollIntervalMs } = app.config.metering;
  return startStageLoop({
    name: 'metering',
    step: async () => {
      const batch = await app.metering.stage.runBatch();
      return batch.events >= batchSize || batch.staleCatalog;
    },
    pollIntervalMs,
    logger: app.logger,
  });
}
