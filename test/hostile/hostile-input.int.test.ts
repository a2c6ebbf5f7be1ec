import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referenceCatalogYaml } from '../fixtures/reference-catalog.js';
import { ManualClock } from '../../src/platform/clock.js';
import { operationName, readOperations, type ApiOperation } from '../harness/openapi-operations.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { expectRefusedCleanly } from './hostile-exchange.js';
import { hostileRequest, seedBodies, unauthenticatedRequest, type HostileRequest } from './hostile-requests.js';

// Every operation the app publishes in /openapi.json (read at test time, so a new route is fuzzed
// without touching this file), with hostile parameters, headers and bodies, on both stores. Runs are
// bounded by count and by time so the suite stays within about a minute; fast-check picks a new seed
// each run and prints it with any counterexample, to replay with { seed, path }.
const RUNS_PER_OPERATION = 80;
const UNAUTHENTICATED_RUNS_PER_OPERATION = 12;
const TIME_LIMIT_PER_OPERATION_MS = 4_000;

const NOW = '2026-11-01T00:00:00Z';

async function forEachOperation(
  operations: readonly ApiOperation[],
  runs: number,
  property: (operation: ApiOperation) => fc.IAsyncProperty<[HostileRequest]>,
): Promise<void> {
  for (const operation of operations) {
    try {
      await fc.assert(property(operation), {
        numRuns: runs,
        plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_PER_OPERATION_MS)],
      });
    } catch (error) {
      // fast-check's report names the counterexample and seed; the assertion that failed is its cause.
      const cause = (error as Error).cause;
      throw new Error(
        `${operationName(operation)}: ${(error as Error).message}${cause instanceof Error ? `\n${cause.message}` : ''}`,
        { cause },
      );
    }
  }
}

describeEachStore('hostile input on every published operation', (stores) => {
  let t: TestApp;
  let operations: ApiOperation[];
  const seeds = seedBodies(parse(referenceCatalogYaml()));

  beforeAll(async () => {
    t = await startTestApp(stores, { clock: new ManualClock(NOW) });
    // A catalog, so that routes reading it get past "no catalog" to their own checks.
    await t.app.catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'test');
    operations = await readOperations(t);
  });
  afterAll(() => t.close());

  it('reads the operations from the app itself: ingestion, catalog, rating, billing and operations routes', () => {
    const names = operations.map(operationName);
    expect(names.length).toBeGreaterThanOrEqual(30);
    for (const name of [
      'POST /v1/events',
      'POST /compat/lago/api/v1/events/batch',
      'POST /v1/catalog',
      'POST /v1/rating/preview',
      'GET /v1/invoices/{id}',
      'PUT /v1/event-types/{type}/schemas/{version}',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('never answers 5xx; a 4xx is a problem (or the body the route documents) and stores nothing', async () => {
    await forEachOperation(operations, RUNS_PER_OPERATION, (operation) =>
      fc.asyncProperty(hostileRequest(operation, seeds[operationName(operation)] ?? []), async (request) => {
        await expectRefusedCleanly(t, operations, operation, request);
      }),
    );
  });

  it('answers 401 on every secured operation without a valid key, before looking at anything else the request holds', async () => {
    const secured = operations.filter((operation) => operation.secured);
    expect(secured.length).toBeGreaterThan(0);
    await forEachOperation(secured, UNAUTHENTICATED_RUNS_PER_OPERATION, (operation) =>
      fc.asyncProperty(unauthenticatedRequest(operation, seeds[operationName(operation)] ?? []), async (request) => {
        const answer = await expectRefusedCleanly(t, operations, operation, request);
        if (answer !== undefined)
          expect(answer.status, `${request.method} ${request.url}: ${answer.body.slice(0, 200)}`).toBe(401);
      }),
    );
  });
});
