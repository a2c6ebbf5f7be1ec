import { setTimeout as sleep } from 'node:timers/promises';
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
// account: whatever the account does (429 storms, outages, lost answers, two dispatchers), it ends up
// holding each posting once, every entry balanced, and the amounts per account to the cent.

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

  it('waits out a 429 storm at concurrency 1 and delivers every entry once, to the cent', async () => {
    emulator.setFaults({ concurrency: 1, latencyMs: 15 });
    useTarget({ requestsPerSecond: 1000, concurrency: 8 });
    const entries = periodEntries(30);
    await enqueueAll(entries);
    await drain(() => dispatcher().runOnce(), 120);
    expectLedger(entries);
    const classes = countBy(await attempts());
    expect(classes.throttled).toBeGreaterThan(0);
    expect(classes.throttled).toBe(emulator.stats().outcomes.concurrencyLimited);
    expect(classes.delivered).toBe(30);
  });

  it('rides out a 503 and then a refused-connection outage in the middle of a period', async () => {
    const entries = periodEntries(24);
    await enqueueAll(entries);
    const run = dispatcher();
    await run.runOnce();
    await run.runOnce();
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 3_600_000 } });
    for (let pass = 0; pass < 2; pass += 1) {
      clock.advance(10 * 60_000);
      await run.runOnce();
    }
    emulator.setFaults({ outage: { mode: 'refuse', untilMs: Date.now() + 3_600_000 } });
    for (let pass = 0; pass < 3; pass += 1) {
      clock.advance(10 * 60_000);
      await run.runOnce();
    }
    emulator.setFaults({ outage: undefined });
    await sleep(50); // the emulator listens again
    await drain(() => run.runOnce());
    expectLedger(entries);
    const classes = countBy(await attempts());
    expect(classes.unknown_outcome).toBeGreaterThan(0); // the 503s: read back before sending again
    expect(classes.unavailable).toBeGreaterThan(0); // the refusals
    expect((classes.delivered ?? 0) + (classes.adopted ?? 0)).toBe(24);
  });

  it('adopts what was committed before the answer was lost (10% of writes dropped)', async () => {
    emulator.setFaults({ dropAfterCommitRate: 0.1 });
    const entries = periodEntries(40);
    await enqueueAll(entries);
    await drain(() => dispatcher().runOnce());
    expectLedger(entries);
    const classes = countBy(await attempts());
    const dropped = emulator.stats().outcomes.droppedAfterCommit;
    expect(dropped).toBeGreaterThan(0);
    expect(classes.unknown_outcome).toBe(dropped);
    expect(classes.adopted).toBe(dropped);
    expect(classes.delivered).toBe(40 - dropped);
  });

  it('sends each entry once when two dispatchers run at once', async () => {
    const entries = periodEntries(30);
    await enqueueAll(entries);
    const [first, second] = [dispatcher(), dispatcher()];
    for (let pass = 0; pass < 20 && (await postings(['delivered'])).length < 30; pass += 1)
      await Promise.all([first.runOnce(), second.runOnce()]);
    expectLedger(entries);
    expect(emulator.stats().requests).toBe(30);
  });

  it("dead-letters an unknown account with NetSuite's answer, and delivers the corrected body on retry", async () => {
    const [good] = periodEntries(1);
    const wrong: JournalEntry = {
      ...good!,
      lines: good!.lines.map((line, i) => (i ? line : { ...line, account: '999' })),
    };
    await enqueueAll([wrong]);
    expect(await dispatcher().runOnce()).toEqual({ delivered: 0, adopted: 0, failed: 0, dead: 1 });
    const [dead] = await postings(['dead']);
    const [attempt] = await listAttempts(db, dead!.id);
    expect(attempt).toMatchObject({
      failureClass: 'invalid',
      statusCode: 400,
      errorCode: 'INVALID_CONTENT',
      errorPath: 'line.items[0].account',
    });
    expect(attempt?.targetText).toContain('Invalid Field Value 999 for the following field: account');
    await createPostings({ db, clock, render: async () => good }).retry(dead!.id, 'ops');
    await drain(() => dispatcher().runOnce());
    expect((await postings(['delivered'])).map((one) => one.externalId)).toEqual([good!.externalId]);
    expectLedger([good!]);
  });

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
