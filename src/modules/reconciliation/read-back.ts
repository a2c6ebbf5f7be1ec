import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryFailure, type Connector, type PostingBody, type TargetDocument } from '../connectors/index.js';

// Reading a target back, one document at a time, at a pace the target's limits leave room for: at most
// half its requests per second, so deliveries keep the other half. A throttle waits (the target's
// Retry-After, else a second) and asks again, a few times; any other failure ends the target's read-back,
// and what was not read is reported unverified, never clean.

const MAX_THROTTLES = 3;

export type ReadBackResult =
  { outcome: 'held'; document: TargetDocument } | { outcome: 'missing' } | { outcome: 'unreadable'; reason: string };

export interface PacedReader {
  read(body: PostingBody, queuedAt: Date): Promise<ReadBackResult>;
}

export function createPacedReader(
  connector: Connector,
  requestsPerSecond: number,
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<unknown> } = {},
): PacedReader {
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  const gapMs = 1000 / Math.max(requestsPerSecond / 2, 0.01);
  let nextAt = 0;
  return {
    async read(body, queuedAt) {
      for (let throttles = 0; ;) {
        const now = Date.now();
        if (nextAt > now) await wait(nextAt - now);
        nextAt = Math.max(now, nextAt) + gapMs;
        try {
          const signal = AbortSignal.timeout(options.timeoutMs ?? connector.deliveryTimeoutMs ?? 30_000);
          const document = await connector.find(body, signal, { queuedAt });
          return document ? { outcome: 'held', document } : { outcome: 'missing' };
        } catch (error) {
          const failure = error instanceof DeliveryFailure ? error : undefined;
          if (failure?.failureClass === 'throttled' && throttles < MAX_THROTTLES) {
            throttles += 1;
            await wait(failure.detail.retryAfterMs ?? 1000);
            continue;
          }
          return { outcome: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
        }
      }
    },
  };
}
