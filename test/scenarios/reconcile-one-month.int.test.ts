import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../src/emulators/netsuite/index.js';
import { createConnector, type JournalEntry } from '../../src/modules/connectors/index.js';
import { ManualClock } from '../../src/platform/clock.js';
import { Exact } from '../../src/platform/money.js';
import type { Json } from '../harness/read-json.js';
import { readJson } from '../harness/read-json.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { applyStory, completion, get, post, send } from './one-month-story.js';
import { drainPostings, netsuiteSecret, netsuiteStoryCatalog } from './story-targets.js';

/**
 * Finance reconciles October at the LLM gateway three ways: the events' usage, the invoices, and what
 * NetSuite holds, read back from NetSuite (the emulator) — never Meterbridge's own record of what it
 * sent. A clean month reports no mismatch and equal totals at every stage; a ledger that lost its entries
 * is caught, repaired and clean again; late usage past the close, an unreachable NetSuite, an open period
 * and bad requests are each reported for what they are.
 */
describeEachStore('reconciling a month against NetSuite', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let emulator: NetSuiteEmulator;
  let t: TestApp;

  beforeAll(async () => {
    emulator = await startNetSuiteEmulator({ seed: 9 });
    const secret = netsuiteSecret(emulator);
    t = await startTestApp(stores, { clock, secrets: async () => secret });
    await applyStory(t, netsuiteStoryCatalog(emulator));
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  const drain = () => drainPostings(t, clock);

  const reconcile = (body: unknown) => t.request('/v1/reconciliations', { method: 'POST', json: body });

  it('reports an open period as provisional, and a clean closed one with equal totals at every stage', async () => {
    await send(t, [
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
      completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    const open = await readJson(await reconcile({ period: '2026-10' }));
    expect(open).toMatchObject({ provisional: true, status: 'completed', summary: { mismatches: 0 } });

    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
    clock.set('2026-11-04T02:00:00Z');
    await post(t, '/v1/invoices/finalize-due');
    clock.set('2026-11-05T01:00:00Z');
    await drain();

    const response = await reconcile({ period: '2026-10' });
    expect(response.status).toBe(201);
    const report = await readJson(response);
    expect(report).toMatchObject({
      provisional: false,
      status: 'completed',
      summary: { mismatches: 0, clean: true, unverified: [], postingsRead: 1 },
      mismatches: [],
    });
    // Acme 76.15 and Initech 69.71: the same 145.86 invoiced, posted and held by NetSuite.
    expect(report.totals).toEqual([
      {
        legalEntity: 'US',
        currency: 'USD',
        usageRecords: 2,
        usageRecordsInvoiced: 2,
        documents: 2,
        invoiced: '145.86',
        posted: { 'netsuite-us': '145.86' },
        verified: { 'netsuite-us': '145.86' },
      },
    ]);
    expect(report.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          customer: 'acme',
          meter: 'tokens',
          usageRecords: 1,
          usageQuantity: '12000',
          invoicedRecords: 1,
        }),
      ]),
    );
    // Kept, listed, and readable as CSV for a spreadsheet.
    expect((await get(t, '/v1/reconciliations?period=2026-10')).items.map((run: Json) => run.id)).toContain(report.id);
    const csv = await t.request(`/v1/reconciliations/${report.id}?format=csv&part=totals`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toBe(
      'legalEntity,currency,usageRecords,usageRecordsInvoiced,documents,invoiced,target,posted,verified\nUS,USD,2,2,2,145.86,netsuite-us,145.86,145.86\n',
    );
  });

  it('finds what NetSuite lost, repairs it (audited), and is clean once it is delivered again', async () => {
    emulator.reset(); // NetSuite no longer holds the day's journal entry Meterbridge delivered
    const report = await readJson(await reconcile({ period: '2026-10' }));
    expect(report.summary).toMatchObject({ clean: false, byClass: { posting_missing_in_target: 1 } });
    expect(report.totals[0]).toMatchObject({ posted: { 'netsuite-us': '145.86' }, verified: { 'netsuite-us': '0' } });
    // The period's latest run is not clean: an alert, until a clean run resolves it.
    await post(t, '/v1/alerts/evaluate');
    const open = await get(t, '/v1/alerts?state=open&rule=reconciliation_mismatches');
    expect(open.items).toEqual([
      expect.objectContaining({ rule: 'reconciliation_mismatches', subject: '2026-10', observed: '1' }),
    ]);
    const [missing] = report.mismatches;
    expect(missing).toMatchObject({ class: 'posting_missing_in_target', targetKey: 'netsuite-us', repaired: false });

    const repaired = await t.request(`/v1/reconciliations/${report.id}/mismatches/${missing.seq}/repair`, {
      method: 'POST',
    });
    expect(repaired.status).toBe(200);
    expect(await readJson(repaired)).toMatchObject({
      repaired: true,
      action: expect.stringMatching(/put back in line/),
    });
    // Repaired once only; the other one by a run with repair.
    expect(
      (await t.request(`/v1/reconciliations/${report.id}/mismatches/${missing.seq}/repair`, { method: 'POST' })).status,
    ).toBe(409);

    // Back in line, not delivered yet: not a mismatch, but the period is not clean until it is.
    const waiting = await readJson(await reconcile({ period: '2026-10' }));
    expect(waiting.summary).toMatchObject({ mismatches: 0, awaitingDelivery: 2, clean: false });
    expect(waiting.totals[0].posted).toEqual({});

    await drain();
    clock.advance(60_000);
    const clean = await readJson(await reconcile({ period: '2026-10' }));
    expect(clean.summary).toMatchObject({ clean: true, mismatches: 0 });
    expect(clean.totals[0].verified).toEqual({ 'netsuite-us': '145.86' });
    await post(t, '/v1/alerts/evaluate');
    expect((await get(t, '/v1/alerts?state=open&rule=reconciliation_mismatches')).items).toEqual([]);
    // What was delivered was read back by a completed run within 24 hours of its delivery.
    const levels = await get(t, '/v1/service-levels');
    expect(levels.objectives.find((objective: Json) => objective.objective === 'reconciliation')).toMatchObject({
      status: 'met',
      met: '1',
      missed: '0',
    });
    expect(emulator.records()).toHaveLength(1);
  });

  it('catches an entry whose amounts were changed in NetSuite, by the totals the read-back gets', async () => {
    const [posting] = await t.app.postings.list({ targetKey: 'netsuite-us', statuses: ['delivered'] }, 10);
    const sent = posting!.body as JournalEntry;
    const target = (await t.app.catalog.current())!.catalog.targets![0]!;
    const netsuite = createConnector(target, async () => netsuiteSecret(emulator))!;
    // Someone adds 10.00 to a debit and a credit of the entry in NetSuite (still balanced).
    const debit = sent.lines.findIndex((line) => line.debit !== '0');
    const credit = sent.lines.findIndex((line) => line.credit !== '0');
    const plus = (amount: string) => new Exact(amount).plus(10).toFixed(2);
    const edited = {
      ...sent,
      lines: sent.lines.map((line, index) =>
        index === debit
          ? { ...line, debit: plus(line.debit) }
          : index === credit
            ? { ...line, credit: plus(line.credit) }
            : line,
      ),
    };
    await netsuite.deliver(edited, AbortSignal.timeout(10_000));
    const report = await readJson(await reconcile({ period: '2026-10' }));
    expect(report.mismatches).toEqual([
      expect.objectContaining({
        class: 'amount_mismatch',
        expected: '145.86',
        actual: '155.86',
        postingId: posting!.id,
      }),
    ]);
    expect(report.totals[0].verified).toEqual({ 'netsuite-us': '0' });
    // Put back as sent: clean again.
    await netsuite.deliver(sent, AbortSignal.timeout(10_000));
    expect((await readJson(await reconcile({ period: '2026-10' }))).summary.clean).toBe(true);
  });

  it('catches an amount moved to another account in NetSuite, with the total kept, by the lines the read-back gets', async () => {
    const [posting] = await t.app.postings.list({ targetKey: 'netsuite-us', statuses: ['delivered'] }, 10);
    const sent = posting!.body as JournalEntry;
    const target = (await t.app.catalog.current())!.catalog.targets![0]!;
    const netsuite = createConnector(target, async () => netsuiteSecret(emulator))!;
    // Someone books the first revenue credit to account 113 instead of 112 (still balanced, same total).
    const moved = sent.lines.findIndex((line) => line.account === '112' && line.credit !== '0');
    await netsuite.deliver(
      { ...sent, lines: sent.lines.map((line, index) => (index === moved ? { ...line, account: '113' } : line)) },
      AbortSignal.timeout(10_000),
    );
    const report = await readJson(await reconcile({ period: '2026-10' }));
    // Revenue's 38.00 of usage now sits beside the 9.86 of tax on 113: each account's sum, sent and held.
    expect(report.mismatches).toEqual([
      expect.objectContaining({
        class: 'account_mismatch',
        postingId: posting!.id,
        expected: '112=-38; 113=-9.86',
        actual: '112=0; 113=-47.86',
      }),
    ]);
    expect(report.summary.clean).toBe(false);
    await netsuite.deliver(sent, AbortSignal.timeout(10_000));
    expect((await readJson(await reconcile({ period: '2026-10' }))).summary.clean).toBe(true);
  });

  it('reports usage left unbilled past the close, and refuses to repair it, saying what a person must do', async () => {
    // Late October usage of Acme (roll forward): no finalized document bills it until November's run.
    await send(t, [completion('a-late', 'acme', '2026-10-31T22:00:00Z', 1500)]);
    await t.app.metering.stage.runUntilCaughtUp();
    const report = await readJson(await reconcile({ period: '2026-10', repair: true }));
    const [late] = report.mismatches;
    expect(late).toMatchObject({
      class: 'unbilled_past_close',
      customer: 'acme',
      meter: 'tokens',
      expected: '1',
      repaired: false,
      action: expect.stringMatching(/billing/),
    });
    const refused = await t.request(`/v1/reconciliations/${report.id}/mismatches/${late.seq}/repair`, {
      method: 'POST',
    });
    expect(refused.status).toBe(409);
    expect((await readJson(refused)).detail).toMatch(/not safe to repair without a person/);
  });

  it('leaves an unreachable NetSuite unverified, never clean', async () => {
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 60_000 } });
    try {
      const report = await readJson(await reconcile({ period: '2026-10', entity: 'US' }));
      expect(report.summary.clean).toBe(false);
      expect(report.summary.unverified).toEqual([
        expect.objectContaining({
          targetKey: 'netsuite-us',
          postingsUnread: 1,
          reason: expect.stringMatching(/reading netsuite-us back failed/),
        }),
        expect.objectContaining({
          targetKey: 'netsuite-us',
          reason: expect.stringMatching(/^listing netsuite-us's documents/),
        }),
      ]);
      expect(report.totals[0].verified).toEqual({ 'netsuite-us': '0' });
    } finally {
      emulator.setFaults({ outage: undefined });
    }
  });

  it("finds a document NetSuite holds under an id of Meterbridge's shape that no posting has", async () => {
    const [posting] = await t.app.postings.list({ targetKey: 'netsuite-us', statuses: ['delivered'] }, 10);
    const target = (await t.app.catalog.current())!.catalog.targets![0]!;
    const netsuite = createConnector(target, async () => netsuiteSecret(emulator))!;
    // Another store's entry (or a copy made by hand) under an id this store never posted.
    const stray = { ...(posting!.body as JournalEntry), externalId: 'J-ZZZZZZZZZZZZZZ' };
    const strayId = (await netsuite.deliver(stray, AbortSignal.timeout(10_000))).id;
    const report = await readJson(await reconcile({ period: '2026-10' }));
    // Beside the late usage found before, the stray document.
    expect(report.mismatches).toEqual([
      expect.objectContaining({ class: 'unbilled_past_close' }),
      expect.objectContaining({
        class: 'unknown_document_in_target',
        targetKey: 'netsuite-us',
        externalId: 'J-ZZZZZZZZZZZZZZ',
        targetDocumentId: strayId,
        actual: '145.86',
      }),
    ]);
  });

  it('refuses a malformed period, an unknown entity and unknown fields with every error; 404 for an unknown report', async () => {
    const response = await reconcile({ period: '2026-13', entity: 'MARS', repair: 'yes', colour: 'red' });
    expect(response.status).toBe(400);
    const problem = await readJson(response);
    expect(problem.errors.map((error: Json) => error.path).sort()).toEqual([
      '/colour',
      '/entity',
      '/period',
      '/repair',
    ]);
    expect((await reconcile({ period: 'x\u0000\ud800' })).status).toBe(400);
    expect((await reconcile([null])).status).toBe(400);
    const missing = await t.request('/v1/reconciliations/rec_00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect((await t.request('/v1/reconciliations?limit=0&after=zzz')).status).toBe(400);
    expect((await t.request('/v1/reconciliations/x?format=xml')).status).toBe(400);
  });
});
