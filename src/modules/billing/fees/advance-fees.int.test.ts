import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../../test/harness/stores.js';
import type { App } from '../../../main.js';
import type { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { referenceCatalogDocument } from '../../../../test/fixtures/reference-catalog.js';
import { ingestAll, supportSession } from '../../../../test/fixtures/metering.js';
import { freshOctober } from '../../../../test/fixtures/october-billing.js';

// Acme's growth plan bills its 500.00 platform fee a month in advance. On November 16 acme moves to a
// scale plan (800.00 a month in advance, support at 100.00 an hour), so November's growth fee is half
// used: 250.00 of the 500.00 it paid on October's invoice.
describeEachStore('in-advance fees of a subscription that changes plan mid-period', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;

  beforeEach(async () => {
    ({ db, app, clock } = await freshOctober(stores));
  });

  async function changePlanOnNovember16(
    alsoGrowth: (growth: Record<string, unknown>) => void = () => undefined,
  ): Promise<void> {
    const document = referenceCatalogDocument();
    alsoGrowth(document.subscriptions[0]);
    document.plans.push({
      key: 'scale',
      name: 'Scale',
      charges: [
        { key: 'platform_fee', model: 'flat', prices: { USD: '800.00', EUR: '740.00' } },
        { key: 'premium_support', meter: 'support_hours', model: 'per_unit', prices: { USD: '100', EUR: '90' } },
      ],
    });
    document.subscriptions[0].end = '2026-11-16T00:00:00Z';
    document.subscriptions.push({
      key: 'acme-scale-2026',
      customer: 'acme',
      plan: 'scale',
      start: '2026-11-16T00:00:00Z',
      billingPeriod: 'month',
      anchorDay: 1,
    });
    await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'finance');
  }

  const invoiceOf = async (subscription: string, periodStart: string) => {
    const found = (await app.billing.list({}, 50)).find(
      (invoice) => invoice.subscription === subscription && invoice.periodStart === periodStart,
    );
    if (!found) throw new Error(`no invoice of ${subscription} for ${periodStart}`);
    return app.billing.get(found.id);
  };
  const feeLines = (invoice: Awaited<ReturnType<typeof invoiceOf>>) =>
    (invoice.lines ?? [])
      .filter((line) => line.chargeKey === 'platform_fee')
      .map((line) => [line.kind, line.periodStart.slice(0, 10), line.periodEnd.slice(0, 10), line.amount]);
  /** What finalized documents billed for a subscription's platform fee over November. */
  const novemberFeesBilled = async (subscription: string) =>
    (
      await db.query<{ total: string | null }>(
        `select sum(l.amount)::text as total from invoice_lines l join invoices i on i.id = l.invoice_id
          where i.status = 'finalized' and i.subscription_key = $1 and l.charge_key = 'platform_fee'
            and l.period_start < '2026-12-01T00:00:00Z' and l.period_end > '2026-11-01T00:00:00Z'`,
        [subscription],
      )
    ).rows[0]?.total ?? null;
  /** October billed and finalized: it bills November's growth fee ahead. */
  const finalizedOctober = async () => {
    await app.billing.run('2026-10', 'finance');
    return app.billing.finalize((await invoiceOf('acme-growth-2026', '2026-10-01T00:00:00.000Z')).id, 'finance');
  };
  const billNovember = async () => {
    clock.set('2026-11-21T00:00:00Z');
    await ingestAll(app, [supportSession('acme', '2026-11-20T00:00:00Z', { duration_hours: 2 })]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-12-02T00:00:00Z');
    return app.billing.run('2026-11', 'finance');
  };

  it('credits the unused part of a fee paid in advance on the period’s own invoice, and bills the new plan from the change', async () => {
    // Given October's invoice, finalized, billed November's growth fee in full:
    const october = await finalizedOctober();
    expect(feeLines(october)).toEqual([['flat_fee', '2026-11-01', '2026-12-01', '500.00']]);
    // When the plan changes on November 16 and November is billed:
    clock.set('2026-11-10T00:00:00Z');
    await changePlanOnNovember16();
    expect((await billNovember()).invoices).toMatchObject({ created: 2 });

    // Then growth's last invoice gives back 250.00 of the 500.00, naming the invoice that billed it, and bills no December fee;
    const growth = await invoiceOf('acme-growth-2026', '2026-11-01T00:00:00.000Z');
    expect(growth).toMatchObject({ coveredStart: '2026-11-01T00:00:00.000Z', coveredEnd: '2026-11-16T00:00:00.000Z' });
    expect(feeLines(growth)).toEqual([['adjustment', '2026-11-01', '2026-11-16', '-250.00']]);
    const trueUp = growth.lines?.find((line) => line.kind === 'adjustment');
    expect(trueUp?.description).toBe(
      'platform_fee: 2026-11-01 to 2026-11-16, billed in advance on US-000001: 500.00 → 250.00',
    );
    expect(trueUp?.breakdown.at(-1)).toMatchObject({ kind: 'already_billed', amount: '-500.00' });
    // (9 support hours on November 1 at 150.00, less the credit, taxed at 7.25 %.)
    expect(growth).toMatchObject({ subtotal: '1100.00', taxTotal: '79.75', total: '1179.75' });
    // and the scale plan bills its first, partial month and December in advance.
    const scale = await invoiceOf('acme-scale-2026', '2026-11-01T00:00:00.000Z');
    expect(feeLines(scale)).toEqual([
      ['flat_fee', '2026-11-16', '2026-12-01', '400.00'],
      ['flat_fee', '2026-12-01', '2027-01-01', '800.00'],
    ]);
    expect(scale.lines?.find((line) => line.chargeKey === 'premium_support')).toMatchObject({
      quantity: '2',
      amount: '200.00',
    });

    // Both finalize; November's fees come to 250.00 + 400.00, and a re-run changes nothing.
    await app.billing.finalize(growth.id, 'finance');
    await app.billing.finalize(scale.id, 'finance');
    expect([await novemberFeesBilled('acme-growth-2026'), await novemberFeesBilled('acme-scale-2026')]).toEqual([
      '250.00',
      '400.00',
    ]);
    expect((await app.billing.run('2026-11', 'finance')).invoices).toMatchObject({
      created: 0,
      updated: 0,
      finalized: 2,
    });
  });

  it('prorates the fee on the invoice that bills it ahead when the change is known by then, with nothing to true up later', async () => {
    clock.set('2026-11-01T12:00:00Z');
    await changePlanOnNovember16();
    clock.set('2026-11-02T00:00:00Z');
    const october = await finalizedOctober();
    expect(feeLines(october)).toEqual([['flat_fee', '2026-11-01', '2026-11-16', '250.00']]);
    await billNovember();
    const growth = await invoiceOf('acme-growth-2026', '2026-11-01T00:00:00.000Z');
    expect(feeLines(growth)).toEqual([]);
    await app.billing.finalize(growth.id, 'finance');
    expect(await novemberFeesBilled('acme-growth-2026')).toBe('250.00');
  });

  it('finalizes a period whose fee a draft bills ahead only after that draft, and needs no re-run when nothing changed', async () => {
    await app.billing.run('2026-10', 'finance');
    const october = await invoiceOf('acme-growth-2026', '2026-10-01T00:00:00.000Z');
    await billNovember();
    const november = await invoiceOf('acme-growth-2026', '2026-11-01T00:00:00.000Z');
    expect(feeLines(november)).toEqual([['flat_fee', '2026-12-01', '2027-01-01', '500.00']]);
    await expect(app.billing.finalize(november.id, 'finance')).rejects.toMatchObject({
      message: `invoice ${november.id} was drafted before its in-advance fees were billed as they are now; run billing for its period again, then finalize`,
      errors: [
        {
          path: 'advance fee platform_fee',
          message: `this period's fee is 500.00, but finalized documents bill 0.00 for it and this invoice 0.00; draft ${october.id} bills it: finalize that first`,
        },
      ],
    });
    // The grace period finalizes the earliest period first, so both go through in one pass.
    clock.set('2026-12-10T00:00:00Z');
    expect(await app.billing.finalizeDue('system')).toEqual({ finalized: [october.id, november.id], skipped: [] });
    expect(await novemberFeesBilled('acme-growth-2026')).toBe('500.00');
  });

  it('refuses the period’s invoice when the draft billing its fee ahead was finalized as drafted before the change, until a run trues it up', async () => {
    // Given October drafted (November's fee 500.00), then the change, and November billed while October is still a draft:
    await app.billing.run('2026-10', 'finance');
    const october = await invoiceOf('acme-growth-2026', '2026-10-01T00:00:00.000Z');
    clock.set('2026-11-10T00:00:00Z');
    await changePlanOnNovember16();
    await billNovember();
    const growth = await invoiceOf('acme-growth-2026', '2026-11-01T00:00:00.000Z');
    expect(feeLines(growth)).toEqual([]);
    // When October is finalized as it was drafted, November's growth invoice no longer adds up and is refused;
    await app.billing.finalize(october.id, 'finance');
    await expect(app.billing.finalize(growth.id, 'finance')).rejects.toMatchObject({
      errors: [
        {
          path: 'advance fee platform_fee',
          message: "this period's fee is 250.00, but finalized documents bill 500.00 for it and this invoice 0.00",
        },
      ],
    });
    // then a run of November trues it up, and it finalizes: 250.00 billed for the half month.
    expect((await app.billing.run('2026-11', 'finance')).invoices).toMatchObject({ updated: 1 });
    expect(feeLines(await app.billing.get(growth.id))).toEqual([['adjustment', '2026-11-01', '2026-11-16', '-250.00']]);
    await app.billing.finalize(growth.id, 'finance');
    expect(await novemberFeesBilled('acme-growth-2026')).toBe('250.00');
  });

  it('a reissued invoice bills the fee ahead again, prorated, and the period’s own invoice finalizes on it, never billing it twice', async () => {
    // Given October finalized with November's fee, then the plan change under the reissue policy and late October usage:
    const october = await finalizedOctober();
    clock.set('2026-11-10T00:00:00Z');
    await changePlanOnNovember16((growth) => (growth.latePolicy = 'reissue'));
    await ingestAll(app, [supportSession('acme', '2026-10-31T12:00:00Z', { duration_hours: 1 })]);
    // When November is billed, October is voided and drafted again: its November fee is now the half month;
    const summary = await billNovember();
    const replacement = summary.reissued[0]?.replacement as string;
    expect(summary.reissued).toEqual([{ voided: october.id, replacement }]);
    expect(feeLines(await app.billing.get(replacement))).toEqual([['flat_fee', '2026-11-01', '2026-11-16', '250.00']]);
    // November's own growth invoice has nothing to true up (the voided fee no longer counts), and waits for the replacement.
    const growth = await invoiceOf('acme-growth-2026', '2026-11-01T00:00:00.000Z');
    expect(feeLines(growth)).toEqual([]);
    await expect(app.billing.finalize(growth.id, 'finance')).rejects.toMatchObject({
      errors: [
        {
          path: 'advance fee platform_fee',
          message: expect.stringContaining(`draft ${replacement} bills it: finalize that first`),
        },
      ],
    });
    await app.billing.finalize(replacement, 'finance');
    await app.billing.finalize(growth.id, 'finance');
    expect(await novemberFeesBilled('acme-growth-2026')).toBe('250.00');
  });

  it('gives back, by a memo correcting the invoice that billed it, a fee billed ahead for a period a late cancellation no longer reaches', async () => {
    // Given October finalized with November's fee, then acme's growth subscription cancelled back to November 1:
    const october = await finalizedOctober();
    clock.set('2026-11-10T00:00:00Z');
    const document = referenceCatalogDocument();
    document.subscriptions[0].end = '2026-11-01T00:00:00Z';
    await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'finance');
    // When November is billed, no growth invoice bills November, and a memo gives the 500.00 back, taxed;
    clock.set('2026-12-02T00:00:00Z');
    expect((await app.billing.run('2026-11', 'finance')).memos).toEqual({ created: 1, updated: 0, unchanged: 0 });
    const memo = (await app.billing.list({}, 10)).find((invoice) => invoice.document === 'memo');
    expect(memo).toMatchObject({
      correctsInvoice: october.id,
      status: 'draft',
      subtotal: '-500.00',
      taxTotal: '-36.25',
      total: '-536.25',
    });
    const lines = (await app.billing.get(memo?.id as string)).lines ?? [];
    expect(lines.map((line) => [line.kind, line.chargeKey, line.periodStart.slice(0, 10), line.amount])).toEqual([
      ['adjustment', 'platform_fee', '2026-11-01', '-500.00'],
      ['tax', null, '2026-10-01', '-36.25'],
    ]);
    expect(lines[0]?.description).toBe(
      'platform_fee: 2026-11-01 to 2026-12-01, billed in advance on US-000001; the subscription ended 2026-11-01',
    );
    // then, finalized, it nets November to zero, and later runs of any month draft no other.
    expect((await app.billing.finalize(memo?.id as string, 'finance')).number).toBe('US-000002');
    expect(await novemberFeesBilled('acme-growth-2026')).toBe('0.00');
    expect((await app.billing.run('2026-11', 'finance')).memos).toEqual({ created: 0, updated: 0, unchanged: 0 });
    clock.set('2027-01-02T00:00:00Z');
    expect((await app.billing.run('2026-12', 'finance')).memos).toEqual({ created: 0, updated: 0, unchanged: 0 });
  });
  it('refuses a fee line whose assumption about what was billed for its period no longer holds', async () => {
    // Given October's draft billing November's fee ahead, assuming nothing billed for November yet,
    await app.billing.run('2026-10', 'finance');
    const october = await invoiceOf('acme-growth-2026', '2026-10-01T00:00:00.000Z');
    // when another document billing November's fee is finalized first (written straight to the store: no flow
    // of ours produces one now; the check guards against one racing in),
    await db.query(
      `insert into invoices (id, subscription_key, period_start, period_end, covered_start, covered_end, customer_key, legal_entity, currency, status, number,
                             subtotal, tax_total, total, catalog_version, content_hash, billing_run_id, created_at, updated_at, finalize_after, finalized_at, document, corrects_invoice_id)
       select 'inv_other', subscription_key, '2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z', '2026-09-01T00:00:00Z', '2026-10-01T00:00:00Z', customer_key,
              legal_entity, currency, 'draft', null, 500, 0, 500, catalog_version, 'x', billing_run_id, created_at, updated_at, finalize_after, null, 'invoice', null
         from invoices where id = $1`,
      [october.id],
    );
    await db.query(
      `insert into invoice_lines (invoice_id, line_no, kind, charge_key, meter_key, description, period_start, period_end, amount, breakdown, groups)
       values ('inv_other', 1, 'adjustment', 'platform_fee', null, 'platform_fee', '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 500, '[]', '[]')`,
    );
    await app.billing.finalize('inv_other', 'finance');
    // then October is refused, naming its line, and nothing of it changes.
    await expect(app.billing.finalize(october.id, 'finance')).rejects.toMatchObject({
      errors: [
        {
          path: 'line 1',
          message:
            'bills the platform_fee fee of 2026-11-01 to 2026-12-01 as if 0.00 were billed for it, but finalized documents now bill 500.00',
        },
      ],
    });
    expect((await app.billing.get(october.id)).status).toBe('draft');
  });
});
