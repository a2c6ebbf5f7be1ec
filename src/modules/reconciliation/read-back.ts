import type { Connector, HeldDocument, PostingBody } from '../connectors/index.js';
import type { TargetPace } from './target-pace.js';
import { waitingOutThrottles } from './throttled-read.js';

// Reading a target back at the pace of reconciliation's share of its rate (target-pace.ts). A target
// that reads many documents at once (NetSuite's SuiteQL, SAP's and Business Central's OData `or`) is
// asked a batch at a time, any other one document at a time. A throttle waits (the target's
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
  /** Requests sent to the target so far, as its pace counted them. */
  requests(): number;
  read(items: readonly ReadBackItem[]): Promise<ReadBackResult>;
}

export function createPacedReader(
  connector: Connector,
  target: TargetPace,
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<unknown> } = {},
): PacedReader {
  const findMany = connector.findMany?.bind(connector);

  /** One request's worth of items, its timeout started once its turn has come. */
  async function ask(items: readonly ReadBackItem[]): Promise<(HeldDocument | null)[]> {
    return target.read(async (pace) => {
      const signal = AbortSignal.timeout(options.timeoutMs ?? connector.deliveryTimeoutMs ?? 30_000);
      if (findMany) {
        const found = await findMany(
          items.map((item) => item.body),
          signal,
          pace,
        );
        return items.map((item) => found.get(item.body.externalId) ?? null);
      }
      const [item] = items;
      const document = item ? await connector.find(item.body, signal, { queuedAt: item.queuedAt, pace }) : undefined;
      return [document ?? null];
    });
  }

  return {
    batchSize: findMany ? (connector.findManyBatch ?? 100) : 1,
    requests: () => target.requests(),
    async read(items) {
      try {
        const held = await waitingOutThrottles(() => ask(items), options.sleep);
        return { outcome: 'read', held };
      } catch (error) {
        return { outcome: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
