import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachStore } from '../../../../test/harness/stores.js';
import type { App } from '../../../main.js';
import type { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { ConflictError, ValidationError } from '../../../platform/errors.js';
import { ingestAll, supportSession } from '../../../../test/fixtures/metering.js';
import { freshOctober } from '../../../../test/fixtures/october-billing.js';
import { referenceCatalogDocument } from '../../../../test/fixtures/reference-catalog.js';
import { Exact } from '../../../platform/money.js';

describeEachStore('billing run', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;

  beforeEach(async () => {
    ({ db, app, clock } = await freshOctober(stores));
  });

  it('drafts one invoice per subscription period with usage, fees and tax lines, and lines that trace to their events', async () => {
    const summary = await app.billing.run('2026-10', 'finance');
    expect(summary).toMatchObject({
      period: '2026-10',
      catalogVersion: 1,
      invoices: { created: 1, updated: 0, unchanged: 0 },
      pending: [],
    });
    const [listed] = await app.billing.list({}, 10);
    const invoice = await app.billing.get(listed?.id as string);
    expect(invoice).toMatchObject({
      status: 'draft',
      number: null,
      subscription: 'acme-growth-2026',
      customer: 'acme',
      legalEntity: 'US',
      currency: 'USD',
    });
    expect(invoice.periodStart).toBe('2026-10-01T00:00:00.000Z');
    const lines = invoice.lines ?? [];
    expect(lines.map((line) => [line.kind, line.chargeKey, line.quantity, line.amount])).toEqual([
      ['flat_fee', 'platform_fee', null, '500.00'],
      ['usage', 'api', '30', '0.00'],
      ['usage', 'storage', '120.5', '12.05'],
      ['usage', 'premium_support', '3.25', '487.50'],
      ['tax', null, '999.55', '72.47'],
    ]);
    expect(lines[0]?.periodStart).toBe('2026-11-01T00:00:00.000Z'); // in advance: next month's fee
    expect(lines[1]?.groups).toEqual(
      expect.arrayContaining([
        { dimensions: { region: 'us' }, quantity: '20' },
        { dimensions: { region: 'eu' }, quantity: '10' },
      ]),
    );
    expect(invoice).toMatchObject({ subtotal: '999.55', taxTotal: '72.47', total: '1072.02' });
    expect(summary.totals).toEqual({ USD: '1072.02' });

    // Lineage: the events behind each sum or count line add up to its quantity.
    for (const line of lines.filter((l) => l.kind === 'usage' && l.chargeKey !== 'storage')) {
      const events = [];
      let after = '0';
      for (;;) {
        const page = await app.billing.lineEvents(invoice.id, line.lineNo, after, 7);
        events.push(...page);
        if (page.length < 7) break;
        after = page.at(-1)?.seq as string;
      }
      const total =
        line.meterKey === 'api_calls'
          ? new Exact(events.length)
          : events.reduce((sum, event) => sum.plus(event.value ?? '0'), new Exact(0));
      expect(total.equals(line.quantity as string), line.description).toBe(true);
    }
  });

  it("applies the contract's overrides: its own price for a charge, and its discount on the period's charges", async () => {
    const document = referenceCatalogDocument();
    document.subscriptions[0].overrides = {
      discountPercent: '10',
      charges: { premium_support: { prices: { USD: '100' } } },
    };
    await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'finance');
    await app.billing.run('2026-10', 'finance');
    const [listed] = await app.billing.list({}, 10);
    const invoice = await app.billing.get(listed?.id as string);
    expect(invoice.lines?.map((line) => [line.kind, line.chargeKey, line.amount])).toEqual([
      ['flat_fee', 'platform_fee', '500.00'],
      ['usage', 'api', '0.00'],
      ['usage', 'storage', '12.05'],
      ['usage', 'premium_support', '325.00'],
      ['discount', null, '-83.71'],
      ['tax', null, '54.62'],
    ]);
    expect(invoice).toMatchObject({ subtotal: '753.34', total: '807.96' });
  });

  it('bills a `latest` meter on its last value by event time (computed only when a meter needs it)', async () => {
    const document = referenceCatalogDocument();
    const storage = document.meters.find((meter: { key: string }) => meter.key === 'storage_gb');
    storage.aggregation = 'latest';
    storage.effectiveFrom = '2026-09-01T00:00:00Z';
    await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'finance');
    await app.billing.run('2026-10', 'finance');
    const [listed] = await app.billing.list({}, 10);
    const storageLine = (await app.billing.get(listed?.id as string)).lines?.find(
      (line) => line.chargeKey === 'storage',
    );
    expect(storageLine).toMatchObject({ quantity: '80', amount: '8.00' });
  });

  it('changes nothing when run again, and only the draft whose usage changed after late usage', async () => {
    await app.billing.run('2026-10', 'finance');
    expect((await app.billing.run('2026-10', 'finance')).invoices).toEqual({
      created: 0,
      updated: 0,
      unchanged: 1,
      finalized: 0,
    });
    clock.set('2026-11-01T12:00:00Z');
    await ingestAll(app, [supportSession('acme', '2026-10-31T00:00:00Z', { duration_hours: 1 })]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-02T00:00:00Z');
    expect((await app.billing.run('2026-10', 'finance')).invoices).toEqual({
      created: 0,
      updated: 1,
      unchanged: 0,
      finalized: 0,
    });
    const [invoice] = await app.billing.list({}, 10);
    expect(
      (await app.billing.get(invoice?.id as string)).lines?.find((line) => line.chargeKey === 'premium_support')
        ?.quantity,
    ).toBe('4.25');
  });

  it('finalizes with consecutive numbers per legal entity, freezes the invoice and its usage, and emits it to the outbox', async () => {
    await app.billing.run('2026-10', 'finance');
    const [draft] = await app.billing.list({ status: 'draft' }, 10);
    const final = await app.billing.finalize(draft?.id as string, 'finance');
    expect(final).toMatchObject({ status: 'finalized', number: 'US-000001', finalizedAt: '2026-11-02T00:00:00.000Z' });
    await expect(app.billing.finalize(final.id, 'finance')).rejects.toBeInstanceOf(ConflictError);
    await expect(db.query(`update invoices set total = 0 where id = $1`, [final.id])).rejects.toThrow(/cannot change/);
    await expect(db.query(`delete from invoice_lines where invoice_id = $1`, [final.id])).rejects.toThrow(
      /cannot change/,
    );
    const invoiced = await db.query<{ n: number }>(
      `select count(*)::int as n from usage_records where invoice_id = $1`,
      [final.id],
    );
    expect(invoiced.rows[0]?.n).toBe(30 + 2 + 2);
    const outbox = await db.query<{ topic: string; key: string; payload: { number: string; total: string } }>(
      `select topic, key, payload from outbox`,
    );
    expect(outbox.rows).toEqual([
      {
        topic: 'invoice.finalized',
        key: final.id,
        payload: expect.objectContaining({ number: 'US-000001', total: '1072.02' }),
      },
    ]);
    // A finalized invoice is left alone by later runs.
    expect((await app.billing.run('2026-10', 'finance')).invoices).toMatchObject({
      finalized: 1,
      created: 0,
      updated: 0,
    });
  });

  it('refuses a month that has not ended, a malformed period, and a second run at the same time', async () => {
    clock.set('2026-11-20T00:00:00Z');
    await expect(app.billing.run('2026-11', 'finance')).rejects.toMatchObject({
      errors: [{ path: '/period', message: expect.stringContaining('has not ended yet') }],
    });
    await expect(app.billing.run('2026-13', 'finance')).rejects.toBeInstanceOf(ValidationError);
    const runs = await Promise.allSettled([app.billing.run('2026-10', 'a'), app.billing.run('2026-10', 'b')]);
    const refused = runs.filter((run) => run.status === 'rejected');
    // PostgreSQL runs both at once and refuses one; PGlite serializes them, so the second finds nothing to change.
    if (stores.kind === 'postgres' && refused.length === 1)
      expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    else expect(refused).toEqual([]);
    expect((await db.query<{ n: number }>(`select count(*)::int as n from invoices`)).rows[0]?.n).toBe(1);
  });

  it('rolls late usage of a finalized period forward onto the next invoice as a re-rated adjustment, traced to the late events', async () => {
    await app.billing.run('2026-10', 'finance');
    const [october] = await app.billing.list({}, 10);
    await app.billing.finalize(october?.id as string, 'finance');
    clock.set('2026-11-03T00:00:00Z');
    const late = supportSession('acme', '2026-10-31T12:00:00Z', { duration_hours: 2 });
    await ingestAll(app, [late]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-12-02T00:00:00Z');
    const summary = await app.billing.run('2026-11', 'finance');
    expect(summary).toMatchObject({ invoices: { created: 1 }, reissued: [] });
    const november = (await app.billing.list({ status: 'draft' }, 10))[0];
    const lines = (await app.billing.get(november?.id as string)).lines ?? [];
    const adjustment = lines.find((line) => line.kind === 'adjustment');
    expect(adjustment).toMatchObject({
      chargeKey: 'premium_support',
      quantity: '2',
      amount: '300.00',
      periodStart: '2026-10-01T00:00:00.000Z',
      description: 'premium_support: late usage for 2026-10-01 to 2026-11-01 (invoice US-000001), 3.25 → 5.25 hour',
    });
    const events = await app.billing.lineEvents(november?.id as string, adjustment?.lineNo as number, '0', 10);
    expect(events.map((event) => event.id)).toEqual([late.id]);
    // The November usage (9 hours on Nov 1) is billed as November's own line, and tax covers the adjustment too.
    expect(lines.find((line) => line.kind === 'usage' && line.chargeKey === 'premium_support')?.quantity).toBe('9');
    await app.billing.finalize(november?.id as string, 'finance');
    expect((await app.billing.run('2026-11', 'finance')).invoices).toMatchObject({ finalized: 1 });
    const marked = await db.query<{ invoice_id: string }>(
      `select u.invoice_id from usage_records u join raw_events r on r.seq = u.event_seq where r.id = $1`,
      [late.id],
    );
    expect(marked.rows).toEqual([{ invoice_id: november?.id }]);
  });

  describe('late-usage policies', () => {
    /** Finalizes October (under `document`, when given), applies the changed catalog, then late usage, and bills November. */
    async function lateAfterFinalizing(
      change: (subscription: Record<string, unknown>) => void,
      hours: number,
      document = referenceCatalogDocument(),
    ) {
      await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'finance');
      await app.billing.run('2026-10', 'finance');
      const [october] = await app.billing.list({}, 10);
      await app.billing.finalize(october?.id as string, 'finance');
      change(document.subscriptions[0]);
      await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'finance');
      await ingestAll(app, [supportSession('acme', '2026-10-31T12:00:00Z', { duration_hours: hours })]);
      await app.metering.stage.runUntilCaughtUp();
      clock.set('2026-12-02T00:00:00Z');
      return { october: october?.id as string, summary: await app.billing.run('2026-11', 'finance') };
    }

    it('memo: a separate document corrects the finalized invoice, taxed, and the next invoice has no adjustment', async () => {
      const { october, summary } = await lateAfterFinalizing((subscription) => (subscription.latePolicy = 'memo'), 1);
      expect(summary).toMatchObject({ invoices: { created: 1 }, memos: { created: 1 }, reissued: [] });
      const all = await Promise.all(
        (await app.billing.list({ status: 'draft' }, 10)).map((item) => app.billing.get(item.id)),
      );
      const memo = all.find((item) => item.document === 'memo');
      const november = all.find((item) => item.document === 'invoice');
      expect(memo).toMatchObject({
        correctsInvoice: october,
        periodStart: '2026-10-01T00:00:00.000Z',
        subtotal: '150.00',
        taxTotal: '10.88',
        total: '160.88',
      });
      expect(memo?.lines?.map((line) => line.kind)).toEqual(['adjustment', 'tax']);
      expect(november?.lines?.some((line) => line.kind === 'adjustment')).toBe(false);
      // Idempotent like invoices: the same run again changes nothing.
      expect((await app.billing.run('2026-11', 'finance')).memos).toEqual({ created: 0, updated: 0, unchanged: 1 });
      const final = await app.billing.finalize(memo?.id as string, 'finance');
      expect(final.number).toBe('US-000002');
    });

    it("a plan's policy and threshold apply to its subscriptions that set none; a subscription's own win", async () => {
      const document = referenceCatalogDocument();
      document.plans[0].latePolicy = 'memo';
      document.plans[0].lateMaterialityThreshold = '100.00';
      const { summary } = await lateAfterFinalizing((subscription) => delete subscription.latePolicy, 1, document);
      expect(summary).toMatchObject({ memos: { created: 1 }, reissued: [] });
      const [memo] = (await app.billing.list({ status: 'draft' }, 10)).filter((item) => item.document === 'memo');
      expect(memo?.subtotal).toBe('150.00');
    });

    it("a memo under a contract discount takes the discount off its adjustment, like the period's own lines", async () => {
      const { summary } = await lateAfterFinalizing((subscription) => {
        subscription.latePolicy = 'memo';
        subscription.overrides = { discountPercent: '10' };
      }, 1);
      expect(summary).toMatchObject({ memos: { created: 1 } });
      const [memo] = (await app.billing.list({ status: 'draft' }, 10)).filter((item) => item.document === 'memo');
      const lines = (await app.billing.get(memo?.id as string)).lines ?? [];
      expect(lines.map((line) => [line.kind, line.amount])).toEqual([
        ['adjustment', '150.00'],
        ['discount', '-15.00'],
        ['tax', '9.79'],
      ]);
    });

    it("re-rates late usage of a percentage charge on all of the period's events (per-event fees included)", async () => {
      const document = referenceCatalogDocument();
      document.plans[0].charges.push({
        key: 'support_fee',
        meter: 'support_hours',
        model: 'percentage',
        prices: { USD: { fixedFeePerEvent: '1' }, EUR: { fixedFeePerEvent: '1' } },
        config: { rate: '10' },
      });
      await lateAfterFinalizing(() => undefined, 2, document);
      const [november] = await app.billing.list({ status: 'draft' }, 10);
      const adjustment = (await app.billing.get(november?.id as string)).lines?.find(
        (line) => line.kind === 'adjustment' && line.chargeKey === 'support_fee',
      );
      // October: 10 % of 3.25 + 2 events × 1 = 2.33; with the late 2 hours: 10 % of 5.25 + 3 × 1 = 3.53.
      expect(adjustment).toMatchObject({ quantity: '2', amount: '1.20' });
    });

    it('below the materiality threshold, a memo policy rolls forward', async () => {
      const small = await lateAfterFinalizing((subscription) => {
        subscription.latePolicy = 'memo';
        subscription.lateMaterialityThreshold = '200.00';
      }, 1);
      expect(small.summary).toMatchObject({ memos: { created: 0 }, reissued: [] });
      const [november] = await app.billing.list({ status: 'draft' }, 10);
      expect(
        (await app.billing.get(november?.id as string)).lines?.find((line) => line.kind === 'adjustment')?.amount,
      ).toBe('150.00');
    });

    it('reissue voids the finalized invoice (number kept) and drafts it again with the late usage; a posted one gets a memo', async () => {
      const { october, summary } = await lateAfterFinalizing(
        (subscription) => (subscription.latePolicy = 'reissue'),
        1,
      );
      expect(summary.reissued).toEqual([{ voided: october, replacement: expect.stringMatching(/^inv_/) }]);
      const voided = await app.billing.get(october);
      expect(voided).toMatchObject({
        status: 'void',
        number: 'US-000001',
        voidedAt: '2026-12-02T00:00:00.000Z',
        total: '1072.02',
      });
      const replacement = await app.billing.get(summary.reissued[0]?.replacement as string);
      expect(replacement).toMatchObject({
        status: 'draft',
        replacesInvoice: october,
        periodStart: '2026-10-01T00:00:00.000Z',
      });
      expect(replacement.lines?.find((line) => line.chargeKey === 'premium_support')).toMatchObject({
        quantity: '4.25',
        amount: '637.50',
      });
      const [november] = (await app.billing.list({ status: 'draft' }, 10)).filter((item) => item.id !== replacement.id);
      expect((await app.billing.get(november?.id as string)).lines?.some((line) => line.kind === 'adjustment')).toBe(
        false,
      );
      const outbox = await db.query<{ topic: string; key: string }>(`select topic, key from outbox order by id`);
      expect(outbox.rows.map((row) => [row.topic, row.key])).toEqual([
        ['invoice.finalized', october],
        ['invoice.voided', october],
      ]);
      // The replacement numbers next; the voided number stays used: no gap, no reuse.
      expect((await app.billing.finalize(replacement.id, 'finance')).number).toBe('US-000002');
    });

    it('reissue of an invoice an ERP already holds becomes a memo', async () => {
      await app.billing.run('2026-10', 'finance');
      const [october] = await app.billing.list({}, 10);
      await app.billing.finalize(october?.id as string, 'finance');
      await db.query(`update invoices set posted_at = now() where id = $1`, [october?.id]);
      await expect(db.query(`update invoices set status = 'void' where id = $1`, [october?.id])).rejects.toThrow(
        /cannot change/,
      );
      const document = referenceCatalogDocument();
      document.subscriptions[0].latePolicy = 'reissue';
      await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'finance');
      await ingestAll(app, [supportSession('acme', '2026-10-31T12:00:00Z', { duration_hours: 1 })]);
      await app.metering.stage.runUntilCaughtUp();
      clock.set('2026-12-02T00:00:00Z');
      expect(await app.billing.run('2026-11', 'finance')).toMatchObject({ reissued: [], memos: { created: 1 } });
    });
  });
});
