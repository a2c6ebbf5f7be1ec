import { isTransientUnavailability } from '../platform/database/connection-errors.js';
import type { Logger } from '../platform/logger.js';

export interface StageLoopOptions {
  name: string;
  /** Does one unit of work; returns true when there may be more right away. */
  step: () => Promise<boolean>;
  pollIntervalMs: number;
  logger: Logger;
  /** Longest wait after repeated failures (the store down, say). */
  maxBackoffMs?: number;
}

export interface StageLoop {
  /** Stops after the step in progress, if any, and resolves once it has. */
  stop(): Promise<void>;
}

/**
 * Runs a stage until stopped: steps back to back while there is work, waits `pollIntervalMs` when
 * idle, and backs off (doubling up to `maxBackoffMs`) while steps fail. A failed step commits nothing
 * (each step is one transaction), so retrying it is safe.
 *
 * An unreachable database is an outage to wait out, not a fault of the stage: it is logged once as a
 * warning when the stage pauses and once when it resumes, however many ticks it lasts. Any other
 * failure is logged as an error every time. Nothing a step throws ever leaves this loop.
 */
export function startStageLoop({
  name,
  step,
  pollIntervalMs,
  logger,
  maxBackoffMs = 5000,
}: StageLoopOptions): StageLoop {
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const done = (async () => {
    let failures = 0;
    let pausedAt: number | undefined;
    while (!stopped) {
      try {
        const more = await step();
        if (pausedAt !== undefined) {
          logger.info(
            { stage: name, pausedMs: Date.now() - pausedAt, failures },
            'stage resumed: the database is reachable again',
          );
        } else if (failures > 0) {
          logger.info({ stage: name }, 'stage recovered');
        }
        failures = 0;
        pausedAt = undefined;
        if (!more && !stopped) await sleep(pollIntervalMs);
      } catch (error) {
        failures += 1;
        const backoff = Math.min(maxBackoffMs, pollIntervalMs * 2 ** failures);
        if (isTransientUnavailability(error)) {
          if (pausedAt === undefined) {
            pausedAt = Date.now();
            logger.warn(
              { stage: name, err: error, retryInMs: backoff },
              'stage paused: the database is unavailable; retrying with backoff',
            );
          }
        } else {
          logger.error({ stage: name, err: error, retryInMs: backoff, failures }, 'stage step failed; retrying');
        }
        if (!stopped) await sleep(backoff);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
