import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../../emulators/netsuite/index.js';
import { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { migrate } from '../../../platform/database/migrate.js';
import {
  createDispatcher,
  createPostings,
  enqueue,
  listAttempts,
  type NewPosting,
  type PostingAttempt,
  type PostingStatus,
} from '../../outbox/index.js';
import { DeliveryFailure, type Connector, type JournalEntry, type TargetDefinition } from '../connector.js';
import { createNetSuiteConnector, createNetSuiteContext } from './netsuite-connector.js';
import { checkLedger, expectedNet, periodEntries } from '../../../../test/harness/netsuite-test-ledger.js';

// The connector driven by the outbox dispatcher, as production drives it, against a real emulated
// account, in what is NetSuite's own: a missing secret, and its 5xx pages. The faults every target meets
// (429 storms, outages, lost answers, a killed dispatcher, two dispatchers, a refused document) are the
// conformance suite's (test/conformance), which NetSuite passes with the rest.

describeEachStore('the NetSuite connector under the outbox dispatcher', (stores) => {
  let db: Database;
  let emulator: NetSuiteEmulator;
  let connector: Connector;
  let secret: (() => string) | undefined;
  const clock = new ManualClock('2026-11-01T00:00:00Z');

  function target(limits = { requestsPerSecond: 1000, concurrency: 4 }): TargetDefinition {
    return {
      key: 'ns',
      kind: 'netsuite',
      settings: { accountId: '1234567_SB1', baseUrl: emulator.url, auth: { method: 'tba' }, currencies: { USD: '1' } },
      credentials: 'NS',
      limits,
    };
  }
  const resolve = async (name: string) => {
    if (!secret) throw new DeliveryFailure('auth', `secret ${name} is not set (MB_SECRET_${name}, secrets file)`);
    return secret();
  };
  const useTarget = (limits?: TargetDefinition['limits']) => {
    connector = createNetSuiteConnector(target(limits), resolve, createNetSuiteContext(clock));
  };

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
    emulator = await startNetSuiteEmulator({ seed: 11 });
    const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
    secret = () => JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret });
    useTarget();
  });
  afterEach(() => emulator.close());

  const dispatcher = () => createDispatcher({ db, clock, connectorFor: () => connector, requestTimeoutMs: 5000 });
  const posting = (body: JournalEntry): NewPosting => ({
    targetKey: 'ns',
    externalId: body.externalId,
    kind: body.type,
    subject: `test:${body.externalId}`,
    period: '2026-10',
    body,
  });
  const enqueueAll = (bodies: JournalEntry[]) =>
    db.transaction((tx) =>
      enqueue(tx, { topic: 'test', key: 'k', payload: {}, createdAt: clock.now(), postings: bodies.map(posting) }),
    );
  const postings = (statuses?: PostingStatus[]) => createPostings({ db, clock }).list({ statuses }, 1000);

  async function drain(run: () => Promise<unknown>, passes = 60): Promise<void> {
    for (let pass = 0; pass < passes; pass += 1) {
      await run();
      if ((await postings(['pending', 'retrying', 'in_flight'])).length === 0) return;
      clock.advance(10 * 60_000);
    }
  }

  async function attempts(): Promise<PostingAttempt[]> {
    const all = await Promise.all((await postings()).map((one) => listAttempts(db, one.id)));
    return all.flat();
  }
  const countBy = (list: PostingAttempt[]) =>
    list.reduce<Record<string, number>>((counts, attempt) => {
      const key = attempt.failureClass ?? attempt.outcome;
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {});

  /** The account holds each entry once, balanced, with the enqueued amounts per account to the cent. */
  function expectLedger(entries: JournalEntry[]): void {
    const ledger = checkLedger(emulator.records());
    expect([...ledger.recordsPerExternalId.keys()].sort()).toEqual(entries.map((entry) => entry.externalId).sort());
    expect([...ledger.recordsPerExternalId.values()].every((count) => count === 1)).toBe(true);
    expect(ledger.unbalanced).toEqual([]);
    expect(ledger.netByAccount).toEqual(expectedNet(entries));
  }

  it('keeps a posting waiting, classified auth, while its secret is missing, and delivers once it is set', async () => {
    const keep = secret;
    secret = undefined;
    const entries = periodEntries(2);
    await enqueueAll(entries);
    expect(await dispatcher().runOnce()).toEqual({ delivered: 0, adopted: 0, failed: 2, dead: 0 });
    expect(countBy(await attempts())).toEqual({ auth: 2 });
    expect((await attempts())[0]?.message).toMatch(/secret NS is not set/);
    expect(emulator.stats().requests).toBe(0);
    secret = keep;
    await drain(() => dispatcher().runOnce());
    expectLedger(entries);
  });

  it("classifies NetSuite's 5xx answers, HTML or JSON, keeps their text, and loses nothing", async () => {
    emulator.setFaults({ errorRate: 1 });
    const entries = periodEntries(8);
    await enqueueAll(entries);
    await dispatcher().runOnce();
    const failed = await attempts();
    expect(failed).toHaveLength(4);
    expect(failed.every((one) => one.failureClass === 'unknown_outcome')).toBe(true);
    expect(failed.some((one) => one.targetText?.includes('<!DOCTYPE html>'))).toBe(true);
    for (const one of failed) expect([500, 502, 503]).toContain(one.statusCode);
    emulator.setFaults({ errorRate: 0 });
    await drain(() => dispatcher().runOnce());
    expectLedger(entries);
  });
});
