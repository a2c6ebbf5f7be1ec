import { describe, expect, it } from 'vitest';
import { DeliveryFailure, type Connector, type PostingBody, type TargetDefinition } from '../connectors/index.js';
import { createPacedReader } from './read-back.js';
import { createTargetPace } from './target-pace.js';

// The read-back's pace and batching with a connector that answers from a set of held external ids: half
// the target's rate, a batch per request where the target reads many at once, throttles waited out,
// anything else ending the read.

const target = { key: 't', kind: 'webhook', settings: {}, limits: { requestsPerSecond: 10, concurrency: 1 } };
const body = (externalId: string) => ({ type: 'journal', externalId }) as unknown as PostingBody;
const item = (externalId: string) => ({ body: body(externalId), queuedAt: new Date(0) });

function connector(held: Set<string>, failures: DeliveryFailure[] = [], many = false): Connector {
  const next = () => {
    const failure = failures.shift();
    if (failure) throw failure;
  };
  return {
    target: target as TargetDefinition,
    deliver: () => Promise.reject(new Error('not used')),
    find: async (posted) => {
      next();
      return held.has(posted.externalId) ? { id: `doc-${posted.externalId}` } : undefined;
    },
    ...(many
      ? {
          findManyBatch: 2,
          findMany: async (bodies: readonly PostingBody[]) => {
            next();
            return new Map(
              bodies.filter((b) => held.has(b.externalId)).map((b) => [b.externalId, { id: `doc-${b.externalId}` }]),
            );
          },
        }
      : {}),
  };
}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('the paced read-back', () => {
  it('reads one document per request at half the rate, null for what the target does not hold', async () => {
    const { waits, sleep } = recordingSleep();
    const reader = createPacedReader(connector(new Set(['A'])), createTargetPace(10, sleep), { sleep });
    expect(reader.batchSize).toBe(1);
    expect(await reader.read([item('A')])).toEqual({ outcome: 'read', held: [{ id: 'doc-A' }] });
    expect(await reader.read([item('B')])).toEqual({ outcome: 'read', held: [null] });
    expect(reader.requests()).toBe(2);
    // 10 requests/s leaves the read-back 5: the second request waits about 200 ms after the first.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(150);
    expect(waits[0]).toBeLessThanOrEqual(200);
  });

  it('reads a batch per request where the target reads many at once', async () => {
    const reader = createPacedReader(
      connector(new Set(['A', 'C']), [], true),
      createTargetPace(1000, async () => {}),
    );
    expect(reader.batchSize).toBe(2);
    expect(await reader.read([item('A'), item('B')])).toEqual({ outcome: 'read', held: [{ id: 'doc-A' }, null] });
    expect(reader.requests()).toBe(1);
  });

  it('waits out a throttle (its Retry-After) and asks again; gives up on anything else', async () => {
    const { waits, sleep } = recordingSleep();
    const throttled = new DeliveryFailure('throttled', '429', { retryAfterMs: 1500 });
    const reader = createPacedReader(connector(new Set(['A']), [throttled]), createTargetPace(1000, sleep), { sleep });
    expect(await reader.read([item('A')])).toEqual({ outcome: 'read', held: [{ id: 'doc-A' }] });
    expect(waits).toContain(1500);
    const down = createPacedReader(
      connector(new Set(), [new DeliveryFailure('unavailable', 'the ERP is down')]),
      createTargetPace(1000, sleep),
      {
        sleep,
      },
    );
    expect(await down.read([item('A')])).toEqual({ outcome: 'unreadable', reason: 'the ERP is down' });
    const storm = createPacedReader(
      connector(new Set(), [throttled, throttled, throttled, throttled]),
      createTargetPace(1000, sleep),
      {
        sleep,
      },
    );
    expect(await storm.read([item('A')])).toEqual({ outcome: 'unreadable', reason: '429' });
  });
});
