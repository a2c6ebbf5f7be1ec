import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryFailure } from '../connectors/index.js';

// Every read reconciliation makes of a target (a read-back, a listing, a meter's sum) waits out a throttle
// the same way: the target's Retry-After (else a second), a few times, then gives up; any other failure
// ends the read at once. What could not be read is reported unverified by the caller, never clean.

const MAX_THROTTLES = 3;

export async function waitingOutThrottles<T>(
  read: () => Promise<T>,
  wait: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
): Promise<T> {
  for (let throttles = 0; ; throttles += 1) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof DeliveryFailure) || error.failureClass !== 'throttled' || throttles >= MAX_THROTTLES)
        throw error;
      await wait(error.detail.retryAfterMs ?? 1000);
    }
  }
}
