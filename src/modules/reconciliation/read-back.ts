import { setTimeout as sleep } from 'node:timers/promises';
import type { Connector, HeldDocument, PostingBody } from '../connectors/index.js';
import { waitingOutThrottles } from './throttled-read.js';

// Reading a target back at a pace its limits leave room for: at most half its requests per second, so
// deliveries keep the other half. A target that reads many documents in one request (NetSuite's SuiteQL)
// is asked a batch at a time, any other one document at a time. A throttle waits (the target's
// Retry-After, else a second) and asks again, a few times; any other failure ends the target's read-back,
// and what was not read is reported unverified, never clean.

export interface ReadBackItem {
  body: PostingBody;
  queuedAt: Date;
}

/** Per item, in order: what the target holds under its external id, or null when it holds nothing. */
export type ReadBackResult =
  { outcome: 'read'; held: (HeldDocument | null)[] } | { outcome: 'unreadable'; reason: string };

export interface PacedReader {
  /** How many items one `read` takes: a batch where the target reads many at once, else 1. */
  readonly batchSize: number;
  /** Requests sent so far (each batch or look-up one), for the read-back's use of the target's limit. */
  requests(): number;
  read(items: readonly ReadBackItem[]): Promise<ReadBackResult>;
}

export function createPacedReader(
  connector: Connector,
  requestsPerSecond: number,
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<unknown> } = {},
): PacedReader {
  const wait = options.sleep ?? ((ms: number) => sleep(ms));
  const gapMs = 1000 / Math.max(requestsPerSecond / 2, 0.01);
  const findMany = connector.findMany?.bind(connector);
  let nextAt = 0;
  let sent = 0;

  async function ask(items: readonly ReadBackItem[], signal: AbortSignal): Promise<(HeldDocument | null)[]> {
    if (findMany) {
      const found = await findMany(
        items.map((item) => item.body),
        signal,
      );
      return items.map((item) => found.get(item.body.externalId) ?? null);
    }
    const [item] = items;
    const document = item ? await connector.find(item.body, signal, { queuedAt: item.queuedAt }) : undefined;
    return [document ?? null];
  }

  return {
    batchSize: findMany ? (connector.findManyBatch ?? 100) : 1,
    requests: () => sent,
    async read(items) {
      try {
        const held = await waitingOutThrottles(async () => {
          const now = Date.now();
          if (nextAt > now) await wait(nextAt - now);
          nextAt = Math.max(now, nextAt) + gapMs;
          sent += 1;
          return ask(items, AbortSignal.timeout(options.timeoutMs ?? connector.deliveryTimeoutMs ?? 30_000));
        }, wait);
        return { outcome: 'read', held };
      } catch (error) {
        return { outcome: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
