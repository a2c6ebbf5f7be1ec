import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logger.js';
import type { IngestionObserver } from '../ingestion/index.js';
import { addRejections } from './rejection-counts.js';

export interface RejectionRecorder extends IngestionObserver {
  /** Resolves once every count written so far is stored (for tests and an orderly stop). */
  settled(): Promise<void>;
}

/**
 * Counts each batch's rejected events into the minute's row, after the answer, off the request's path:
 * a count that cannot be written (the store away) is logged and lost, never a failed request.
 */
export function createRejectionRecorder({
  db,
  clock,
  logger,
}: {
  db: Database;
  clock: Clock;
  logger: Logger;
}): RejectionRecorder {
  const pending = new Set<Promise<void>>();
  return {
    observeBatch(_size, outcomes) {
      const rejected = outcomes.reduce((sum, item) => sum + (item.outcome === 'rejected' ? 1 : 0), 0);
      if (rejected === 0) return;
      const write: Promise<void> = addRejections(db, clock.now(), rejected)
        .catch((error: unknown) => logger.warn({ err: error, rejected }, 'could not count rejected events for alerts'))
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async settled() {
      await Promise.all([...pending]);
    },
  };
}

/** One observer telling several (metrics and the rejection count). */
export function bothObservers(...observers: IngestionObserver[]): IngestionObserver {
  return {
    observeBatch(size, outcomes) {
      for (const observer of observers) observer.observeBatch(size, outcomes);
    },
  };
}
