import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import { cloudEvent } from '../harness/events.js';
import { operationName, readOperations, type ApiOperation } from '../harness/openapi-operations.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { expectRefusedCleanly } from './hostile-exchange.js';
import { hostileRequest, seedBodies, type HostileRequest } from './hostile-requests.js';
import { mutated } from './hostile-values.js';

// Valid events sent through every ingestion door, retried, and mixed with hostile requests and with
// hostile events in the same batch: each valid event is stored exactly once, whatever came between.
const RUNS = 25;
const INGESTION = [
  'POST /v1/events',
  'POST /compat/openmeter/api/v1/events',
  'POST /compat/lago/api/v1/events',
  'POST /compat/lago/api/v1/events/batch',
];
const DOORS = ['events-json', 'events-ndjson', 'openmeter', 'lago', 'lago-batch', 'mixed-batch'] as const;
type Door = (typeof DOORS)[number];

type Step =
  | { kind: 'valid'; door: Door; retry: boolean }
  | { kind: 'hostile'; operation: number; request: HostileRequest }
  | { kind: 'surrogates' };

/** The dedup key a valid event is stored under, and the request that carries it. */
function validRequest(
  door: Door,
  id: string,
  hostileEvents: readonly string[],
): { key: [string, string]; url: string; contentType: string; body: string } {
  const event = cloudEvent({ id, data: { tokens: 3 } });
  const lago = {
    transaction_id: id,
    external_subscription_id: `sub-${id}`,
    code: 'api.request',
    properties: { tokens: 3 },
  };
  const lagoKey: [string, string] = [`lago/subscription/${encodeURIComponent(`sub-${id}`)}`, id];
  switch (door) {
    case 'events-json':
      return {
        key: ['test/product', id],
        url: '/v1/events',
        contentType: 'application/json',
        body: JSON.stringify([event]),
      };
    case 'events-ndjson':
      return {
        key: ['test/product', id],
        url: '/v1/events',
        contentType: 'application/x-ndjson',
        body: `${JSON.stringify(event)}\n`,
      };
    case 'openmeter':
      return {
        key: ['test/product', id],
        url: '/compat/openmeter/api/v1/events',
        contentType: 'application/cloudevents+json',
        body: JSON.stringify(event),
      };
    case 'lago':
      return {
        key: lagoKey,
        url: '/compat/lago/api/v1/events',
        contentType: 'application/json',
        body: JSON.stringify({ event: lago }),
      };
    case 'lago-batch':
      return {
        key: lagoKey,
        url: '/compat/lago/api/v1/events/batch',
        contentType: 'application/json',
        body: JSON.stringify({ events: [lago] }),
      };
    case 'mixed-batch':
      // One valid event among hostile ones: the batch answers per event, so the valid one is stored.
      return {
        key: ['test/product', id],
        url: '/v1/events',
        contentType: 'application/json',
        body: `[${[...hostileEvents, JSON.stringify(event)].join(',')}]`,
      };
  }
}

describeEachStore('valid events among hostile requests', (stores) => {
  let t: TestApp;
  let operations: ApiOperation[];
  let run = 0;

  beforeAll(async () => {
    t = await startTestApp(stores, { clock: new ManualClock('2026-11-01T00:00:00Z') });
    operations = (await readOperations(t)).filter((operation) => INGESTION.includes(operationName(operation)));
  });
  afterAll(() => t.close());

  async function storedTimes([source, id]: [string, string]): Promise<number> {
    const result = await t.app.db.query<{ count: number }>(
      'select count(*)::int as count from raw_events where source = $1 and id = $2',
      [source, id],
    );
    return result.rows[0]?.count ?? 0;
  }

  const post = (url: string, contentType: string, body: string) =>
    t.request(url, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('stores each valid event exactly once, through every door, retried, between and beside hostile input', async () => {
    expect(operations).toHaveLength(INGESTION.length);
    const seeds = seedBodies({});
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('valid' as const),
          door: fc.constantFrom(...DOORS),
          retry: fc.boolean(),
        }),
      },
      {
        weight: 4,
        arbitrary: fc
          .nat({ max: INGESTION.length - 1 })
          .chain((operation) =>
            hostileRequest(operations[operation] as ApiOperation, seeds[INGESTION[operation] as string] ?? []).map(
              (request) => ({ kind: 'hostile' as const, operation, request }),
            ),
          ),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'surrogates' as const }) },
    );
    const hostileEvents = fc.array(mutated(cloudEvent({ id: 'hostile' })), { minLength: 1, maxLength: 3 });

    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 2, maxLength: 10 }), hostileEvents, async (steps, hostile) => {
        run += 1;
        const expected: Array<[string, string]> = [];
        for (const [index, current] of steps.entries()) {
          const id = `run-${run}-${index}`;
          if (current.kind === 'hostile') {
            await expectRefusedCleanly(t, operations, operations[current.operation] as ApiOperation, current.request);
          } else if (current.kind === 'surrogates') {
            // Two ids that only a lone surrogate tells apart (text would store both as U+FFFD), then that stored form.
            for (const lone of ['\ud800', '\udbff'])
              expect(
                (await post('/v1/events', 'application/json', JSON.stringify([cloudEvent({ id: `${id}-${lone}` })])))
                  .status,
              ).toBe(400);
            expect(
              (await post('/v1/events', 'application/json', JSON.stringify([cloudEvent({ id: `${id}-\ufffd` })])))
                .status,
            ).toBe(200);
            expected.push(['test/product', `${id}-\ufffd`]);
          } else {
            const request = validRequest(current.door, id, hostile);
            for (let attempt = 0; attempt < (current.retry ? 2 : 1); attempt += 1) {
              const response = await post(request.url, request.contentType, request.body);
              expect(response.status, `${current.door} ${await response.clone().text()}`).toBeLessThan(300);
            }
            expected.push(request.key);
          }
        }
        for (const key of expected) expect(await storedTimes(key), `${key.join(' ')} stored`).toBe(1);
      }),
      { numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(30_000)] },
    );
  });
});
