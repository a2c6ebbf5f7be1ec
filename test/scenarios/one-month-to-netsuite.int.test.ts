import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../src/emulators/netsuite/index.js';
import { ManualClock } from '../../src/platform/clock.js';
import { checkLedger } from '../harness/netsuite-test-ledger.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { applyStory, completion, post, send } from './one-month-story.js';
import { drainPostings, netsuiteSecret, netsuiteStoryCatalog } from './story-targets.js';

/**
 * October at the LLM gateway again, this time to the ledger: the US entity keeps its books in NetSuite
 * (here the emulator, with lost answers and throttling switched on). Events are billed and finalized,
 * the day's summarized entry goes out once the day is over, and NetSuite ends up holding it once, to
 * the cent of the invoices. Then late usage for an invoice NetSuite holds is corrected by a memo, which
 * reaches NetSuite too.
 */
describeEachStore('one month from events to NetSuite', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let emulator: NetSuiteEmulator;
  let t: TestApp;

  beforeAll(async () => {
    // Every third write is committed and its answer lost; at most one request at a time (429 beyond).
    emulator = await startNetSuiteEmulator({ seed: 7, faults: { dropAfterCommitRate: 0.34, concurrency: 1 } });
    const secret = netsuiteSecret(emulator);
    t = await startTestApp(stores, { clock, secrets: async () => secret });
    await applyStory(t, netsuiteStoryCatalog(emulator).replace('latePolicy: roll_forward', 'latePolicy: reissue'));
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  const drain = () => drainPostings(t, clock);

  it('posts the finalized month to NetSuite once, balanced, to the cent of the invoices', async () => {
    await send(t, [
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000), // a producer's retry: counted once
      completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
    clock.set('2026-11-04T02:00:00Z');
    await post(t, '/v1/invoices/finalize-due');
    clock.set('2026-11-05T01:00:01Z');
    await drain();

    // Acme 76.15 and Initech 69.71: fees 98.00 to 54, tokens 38.00 to 112, tax 9.86 to 113, 145.86 receivable.
    const ledger = checkLedger(emulator.records());
    expect([...ledger.recordsPerExternalId.values()]).toEqual([1]);
    expect(ledger.unbalanced).toEqual([]);
    expect(ledger.netByAccount).toEqual({ '112': '-38.00', '113': '-9.86', '54': '-98.00', '58': '145.86' });
    const [posting] = await t.app.postings.list({}, 10);
    expect(posting).toMatchObject({ status: 'delivered', targetDocumentId: expect.stringMatching(/^\d+$/) });
  });

  it('corrects an invoice NetSuite holds by memo, not by reissuing it, and the ledger still equals the invoices', async () => {
    // Late October usage for Acme (1,500 tokens). Its policy is to reissue, but NetSuite already holds the
    // invoice (its entry was delivered), so the correction is a memo: 13,500 tokens cost 23.50, 1.50 more
    // than billed, plus 7.25 % tax (0.10875 → 0.11): 1.61.
    await send(t, [completion('a-late', 'acme', '2026-10-31T22:00:00Z', 1500)]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-06T09:00:00Z');
    const run = await post(t, '/v1/billing-runs', { period: '2026-10' });
    expect(run).toMatchObject({ reissued: [], memos: { created: 1 }, totals: { USD: '1.61' } });
    clock.set('2026-11-09T10:00:00Z');
    await post(t, '/v1/invoices/finalize-due');
    clock.set('2026-11-10T01:00:01Z');
    await drain();

    const ledger = checkLedger(emulator.records());
    expect(ledger.unbalanced).toEqual([]);
    expect([...ledger.recordsPerExternalId.values()].every((count) => count === 1)).toBe(true);
    // 145.86 and the memo's 1.61: 147.47 receivable; tokens 38.00 + 1.50, tax 9.86 + 0.11.
    expect(ledger.netByAccount).toEqual({ '112': '-39.50', '113': '-9.97', '54': '-98.00', '58': '147.47' });
    // Answers were lost on the way (the records committed): each was read back and adopted, not sent twice.
    expect(emulator.stats().outcomes.droppedAfterCommit).toBeGreaterThan(0);
  });
});
