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
 * idle, and backs off (doubling up to `maxBackoffMs`) while steps fail, logging every failure.
 * A failed step commits nothing (each step is one transaction), so retrying it is safe.
 */
export function startStageLoop({ name, step, pollIntervalMs, logger, maxBackoffMs = 5000 }: StageLoopOptions): StageLoop {
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
    while (!stopped) {
      try {
        const more = await step();
        if (failures > 0) logger.info({ stage: name }, 'stage recovered');
        failures = 0;
        if (!more && !stopped) await sleep(pollIntervalMs);
      } catch (error) {
        failures += 1;
        const backoff = Math.min(maxBackoffMs, pollIntervalMs * 2 ** failures);
        logger.error({ stage: name, err: error, retryInMs: backoff, failures }, 'stage step failed; retrying');
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
