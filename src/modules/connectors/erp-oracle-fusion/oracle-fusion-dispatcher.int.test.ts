import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { expectedNet, periodEntries } from '../../../../test/harness/netsuite-test-ledger.js';
import { checkOracleLedger } from '../../../../test/harness/oracle-test-ledger.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startOracleFusionEmulator, type OracleFusionEmulator } from '../../../emulators/oracle-fusion/index.js';
import { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { migrate } from '../../../platform/database/migrate.js';
import { createDispatcher, createPostings, enqueue, listAttempts, type PostingStatus } from '../../outbox/index.js';
import type { Connector, JournalEntry } from '../connector.js';
import { createOracleFusionConnector, createOracleFusionContext } from './oracle-fusion-connector.js';

// What is Oracle's own under the outbox dispatcher: an import that outlives its delivery's time. Each
// attempt ends unknown while the job runs, the dispatcher reads the target back before retrying, and
// the look-up waits for the job instead of importing again; once it ends its batch is adopted. The
// faults every target meets are the conformance suite's (test/conformance).

describeEachStore('the Oracle Fusion connector under the outbox dispatcher', (stores) => {
  let db: Database;
  let emulator: OracleFusionEmulator;
  let connector: Connector;
  const clock = new ManualClock('2026-11-01T00:00:00Z');

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
    const combinations = ['58', '4', '6', '54', '112'].flatMap((account) =>
      ['1', '2'].map((center) => `1.${account}.${center}`),
    );
    emulator = await startOracleFusionEmulator({
      jobMs: 1500,
      ledgers: [
        {
          id: '1',
          name: 'Test',
          currency: 'USD',
          currencies: ['USD'],
          dataAccessSets: [],
          combinations,
          closedPeriods: [],
        },
      ],
    });
    const settings = {
      baseUrl: emulator.url,
      ledgerId: '1',
      source: 'Meterbridge',
      category: 'Usage',
      segments: [
        { source: 'dimension', dimension: 'subsidiary' },
        { source: 'account' },
        { source: 'dimension', dimension: 'department' },
      ],
      pollIntervalMs: 20,
      timeoutMs: 1000,
    };
    const { username, password } = emulator.credentials;
    connector = createOracleFusionConnector(
      {
        key: 'oracle',
        kind: 'oracle-fusion',
        settings,
        credentials: 'ORACLE',
        limits: { requestsPerSecond: 100, concurrency: 4 },
      },
      async () => JSON.stringify({ username, password }),
      createOracleFusionContext(),
    );
  });
  afterEach(() => emulator.close());

  const postings = (statuses?: PostingStatus[]) => createPostings({ db, clock }).list({ statuses }, 1000);

  it('adopts imports that outlived their delivery once they end, and imports each posting once', async () => {
    const bodies = periodEntries(3, 'SLOW');
    await db.transaction((tx) =>
      enqueue(tx, {
        topic: 'test',
        key: 'k',
        payload: {},
        createdAt: clock.now(),
        postings: bodies.map((body) => ({
          targetKey: 'oracle',
          externalId: body.externalId,
          kind: body.type,
          subject: `test:${body.externalId}`,
          period: '2026-10',
          body,
        })),
      }),
    );
    const run = createDispatcher({ db, clock, connectorFor: () => connector });
    for (let pass = 0; pass < 20 && (await postings(['pending', 'retrying', 'in_flight'])).length > 0; pass += 1) {
      await run.runOnce();
      clock.advance(10 * 60_000);
      await sleep(100);
    }
    expect(await postings(['delivered'])).toHaveLength(3);
    expect(emulator.jobs()).toHaveLength(3);
    expect(
      emulator
        .batches()
        .map((batch) => batch.name)
        .sort(),
    ).toEqual(bodies.map((body) => `Meterbridge ${body.externalId}`).sort());
    const ledger = checkOracleLedger(emulator.batches());
    expect([...ledger.batchesPerExternalId.values()]).toEqual([1, 1, 1]);
    expect(ledger.unbalanced).toEqual([]);
    expect(ledger.netByAccount).toEqual(expectedNet(bodies as JournalEntry[]));
    const attempts = (await Promise.all((await postings()).map((one) => listAttempts(db, one.id)))).flat();
    const outcomes = attempts.map((attempt) => attempt.failureClass ?? attempt.outcome);
    expect(outcomes.filter((outcome) => outcome === 'adopted')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome === 'unknown_outcome').length).toBeGreaterThanOrEqual(6);
    expect(attempts.find((attempt) => attempt.failureClass === 'unknown_outcome')?.message).toMatch(
      /import request \d+ was (WAIT|RUNNING) when the delivery’s time ran out/,
    );
  });
});
