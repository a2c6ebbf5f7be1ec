import { beforeEach, expect, it } from 'vitest';
import { ingestAndMeter, llmFixture, llmRequest, octoberTime } from '../../../../test/fixtures/llm-catalog.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import type { App } from '../../../main.js';
import type { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { cachedCatalogVersions } from '../../catalog/index.js';
import { finalizeCurrent, finalizeInvoice } from './finalize.js';
import { StaleUsageError } from '../billing.js';

describeEachStore('usage billed by finalization', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;

  beforeEach(async () => {
    db = await stores.fresh();
    ({ app, clock } = await llmFixture(db));
  });

  /** What the records an invoice marks add up to: how many calls, how many tokens. */
  const marked = async (invoiceId: string) =>
    (
      await db.query<{ calls: string; tokens: string | null }>(
        `select count(*) filter (where meter_key = 'calls')::text as calls, (sum(value) filter (where meter_key = 'tokens'))::text as tokens
           from usage_records where invoice_id = $1`,
        [invoiceId],
      )
    ).rows[0];
  const lines = async (id: string) =>
    ((await app.billing.get(id)).lines ?? []).map((line) => ({
      kind: line.kind,
      meter: line.meterKey,
      quantity: line.quantity,
      amount: line.amount,
    }));

  it('draws a draft again when usage of its period is metered before it is finalized, and marks only what its lines bill', async () => {
    // Given October drafted with 10 requests of 100 tokens,
    await ingestAndMeter(
      app,
      Array.from({ length: 10 }, (_, i) => llmRequest(octoberTime(i), 100)),
    );
    await app.billing.run('2026-10', 'finance');
    const [draft] = await app.billing.list({ status: 'draft' }, 10);
    expect(draft?.total).toBe('17.50');
    // when 3 more October requests are metered during the grace period and the draft is finalized,
    await ingestAndMeter(
      app,
      Array.from({ length: 3 }, (_, i) => llmRequest(octoberTime(20 + i), 100)),
    );
    const invoice = await app.billing.finalize(draft?.id as string, 'finance');

    // then the invoice bills all 13 (1300 tokens, 13 calls), and the records it marks add up to exactly its lines.
    expect(invoice.status).toBe('finalized');
    expect(await lines(invoice.id)).toEqual([
      { kind: 'usage', meter: 'tokens', quantity: '1300', amount: '16.25' },
      { kind: 'usage', meter: 'calls', quantity: '13', amount: '6.50' },
    ]);
    expect(await marked(invoice.id)).toEqual({ calls: '13', tokens: '1300' });
    // November has nothing of October to adjust.
    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    expect((await app.billing.list({ status: 'draft' }, 10)).map((document) => document.total)).toEqual(['0.00']);
  });

  it('finalize-due draws a stale draft again too, and a usage record metered after the marking is billed as late usage', async () => {
    await ingestAndMeter(app, [llmRequest(octoberTime(0), 100)]);
    await app.billing.run('2026-10', 'finance');
    await ingestAndMeter(app, [llmRequest(octoberTime(1), 50)]);
    clock.set('2026-11-05T00:00:00Z');
    const due = await app.billing.finalizeDue('system');
    expect(due.skipped).toEqual([]);
    const october = await app.billing.get(due.finalized[0] as string);
    expect(october.lines?.find((line) => line.meterKey === 'tokens')?.quantity).toBe('150');

    // An October request metered after October is final is late: November adjusts October by it.
    await ingestAndMeter(app, [llmRequest(octoberTime(2), 20)]);
    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    const [november] = await app.billing.list({ status: 'draft' }, 10);
    expect((await lines(november?.id as string)).filter((line) => line.kind === 'adjustment')).toEqual([
      { kind: 'adjustment', meter: 'calls', quantity: '1', amount: '0.50' },
      { kind: 'adjustment', meter: 'tokens', quantity: '20', amount: '0.25' },
    ]);
  });

  it('re-rates late usage of two meters on one event type once each: 200 → 220 tokens and 20 → 22 calls', async () => {
    await ingestAndMeter(
      app,
      Array.from({ length: 20 }, (_, i) => llmRequest(octoberTime(i), 10)),
    );
    await app.billing.run('2026-10', 'finance');
    const [october] = await app.billing.list({ status: 'draft' }, 10);
    await app.billing.finalize(october?.id as string, 'finance');
    await ingestAndMeter(app, [llmRequest(octoberTime(25), 10), llmRequest(octoberTime(26), 10)]);

    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    const [november] = await app.billing.list({ status: 'draft' }, 10);
    const adjustments = (await app.billing.get(november?.id as string)).lines?.filter(
      (line) => line.kind === 'adjustment',
    );
    expect(adjustments?.map((line) => [line.description, line.quantity, line.amount])).toEqual([
      ['calls: late usage for 2026-10-01 to 2026-11-01 (invoice US-000001), 20 → 22 call', '2', '1.00'],
      ['tokens: late usage for 2026-10-01 to 2026-11-01 (invoice US-000001), 200 → 220 token', '20', '0.25'],
    ]);
    // Finalized, the adjustment marks exactly the two late records.
    const finalized = await app.billing.finalize(november?.id as string, 'finance');
    expect(await marked(finalized.id)).toEqual({ calls: '2', tokens: '20' });
  });

  it('corrects a period twice by memo: the second memo corrects the invoice, not the first memo, and counts each late record once', async () => {
    ({ app, clock } = await llmFixture(db, { latePolicy: 'memo' }));
    await ingestAndMeter(
      app,
      Array.from({ length: 4 }, (_, i) => llmRequest(octoberTime(i), 10)),
    );
    await app.billing.run('2026-10', 'finance');
    const october = await app.billing.finalize(
      (await app.billing.list({ status: 'draft' }, 10))[0]?.id as string,
      'finance',
    );
    const memoFor = async (tokens: number) => {
      await ingestAndMeter(app, [llmRequest(octoberTime(10), tokens)]);
      await app.billing.run('2026-10', 'finance');
      const [memo] = await app.billing.list({ status: 'draft' }, 10);
      return app.billing.finalize(memo?.id as string, 'finance');
    };
    const first = await memoFor(20);
    const second = await memoFor(40);
    expect([first.correctsInvoice, second.correctsInvoice]).toEqual([october.id, october.id]);
    expect(
      (second.lines ?? [])
        .filter((line) => line.kind === 'adjustment')
        .map((line) => [line.description, line.quantity]),
    ).toEqual([
      ['calls: late usage for 2026-10-01 to 2026-11-01 (invoice US-000001), 5 → 6 call', '1'],
      ['tokens: late usage for 2026-10-01 to 2026-11-01 (invoice US-000001), 60 → 100 token', '40'],
    ]);
    expect(await marked(second.id)).toEqual({ calls: '1', tokens: '40' });
  });

  it('refuses to finalize over changed usage without drawing the draft again, naming each line and both quantities', async () => {
    await ingestAndMeter(app, [llmRequest(octoberTime(0), 100)]);
    await app.billing.run('2026-10', 'finance');
    const [draft] = await app.billing.list({ status: 'draft' }, 10);
    // Finalizing without drawing it again (the one attempt finalize makes before each draw) is refused.
    await ingestAndMeter(app, [llmRequest(octoberTime(1), 100)]);
    await expect(
      finalizeInvoice(
        { db, clock, catalog: app.catalog, draftedCatalog: cachedCatalogVersions(app.catalog) },
        draft?.id as string,
        'finance',
      ),
    ).rejects.toMatchObject({
      message: `invoice ${draft?.id} was drafted before usage of its period changed; a billing run of 2026-10 draws it again`,
      errors: [
        {
          path: 'line 1',
          message:
            'drafted for 100 token of tokens in 2026-10-01T00:00:00.000Z to 2026-11-01T00:00:00.000Z, but the usage it bills now comes to 200 token',
        },
        {
          path: 'line 2',
          message:
            'drafted for 1 call of calls in 2026-10-01T00:00:00.000Z to 2026-11-01T00:00:00.000Z, but the usage it bills now comes to 2 call',
        },
      ],
    });
    // Nothing changed: still a draft, no record marked, no number used.
    expect((await app.billing.get(draft?.id as string)).status).toBe('draft');
    expect(await marked(draft?.id as string)).toEqual({ calls: '0', tokens: null });
    expect((await app.billing.finalize(draft?.id as string, 'finance')).number).toBe('US-000001');
  });

  it('gives up after two draws when usage keeps arriving while the draft is drawn again', async () => {
    await ingestAndMeter(app, [llmRequest(octoberTime(0), 100)]);
    await app.billing.run('2026-10', 'finance');
    const [draft] = await app.billing.list({ status: 'draft' }, 10);
    await ingestAndMeter(app, [llmRequest(octoberTime(1), 100)]);
    let draws = 0;
    const store = { db, clock, catalog: app.catalog, draftedCatalog: cachedCatalogVersions(app.catalog) };
    // Each draw is overtaken by one more October request, metered right after it.
    const redraw = async (period: string) => {
      draws += 1;
      await app.billing.run(period, 'finance');
      await ingestAndMeter(app, [llmRequest(octoberTime(2 + draws), 100)]);
    };
    await expect(finalizeCurrent({ ...store, redraw }, draft?.id as string, 'finance')).rejects.toBeInstanceOf(
      StaleUsageError,
    );
    expect(draws).toBe(2);
    expect((await app.billing.get(draft?.id as string)).status).toBe('draft');
  });
});
