import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../../test/harness/stores.js';
import type { App } from '../../../main.js';
import type { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { ingestAll, supportSession } from '../../../../test/fixtures/metering.js';
import { freshOctober } from '../../../../test/fixtures/october-billing.js';

describeEachStore('late-usage adjustments drafted twice', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;

  beforeEach(async () => {
    ({ db, app, clock } = await freshOctober(stores));
    // October finalized (US-000001, 3.25 support hours), then a 2-hour session of October 31 arrives late.
    await app.billing.run('2026-10', 'finance');
    await app.billing.finalize((await app.billing.list({}, 1))[0]?.id as string, 'finance');
    clock.set('2026-11-03T00:00:00Z');
    await ingestAll(app, [supportSession('acme', '2026-10-31T12:00:00Z', { duration_hours: 2 })]);
    await app.metering.stage.runUntilCaughtUp();
  });

  const draftOf = async (periodStart: string) => {
    const drafts = await app.billing.list({ status: 'draft' }, 10);
    const found = drafts.find((invoice) => invoice.periodStart === periodStart);
    if (!found) throw new Error(`no draft for ${periodStart}`);
    return app.billing.get(found.id);
  };
  const adjustmentsOf = async (id: string) =>
    ((await app.billing.get(id)).lines ?? []).filter((line) => line.kind === 'adjustment').map((line) => line.amount);
  const finalizedAdjustmentTotal = async () =>
    (
      await db.query<{ total: string | null }>(
        `select sum(l.amount)::text as total from invoice_lines l join invoices i on i.id = l.invoice_id where l.kind = 'adjustment' and i.status = 'finalized'`,
      )
    ).rows[0]?.total;

  it('bills late usage once: the draft finalized second is refused until a run redraws it without the adjustment', async () => {
    // Given November's draft carries the adjustment, and December is billed before November is finalized:
    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    const november = await draftOf('2026-11-01T00:00:00.000Z');
    clock.set('2027-01-02T00:00:00Z');
    await app.billing.run('2026-12', 'finance');
    const december = await draftOf('2026-12-01T00:00:00.000Z');
    // both drafts hold the same correction of US-000001 (each was drafted against what finalized documents billed).
    expect([await adjustmentsOf(november.id), await adjustmentsOf(december.id)]).toEqual([['300.00'], ['300.00']]);

    // When November finalizes (it bills December's fee in advance, so it goes first), December's adjustment
    // is stale: December is refused, naming the line.
    expect((await app.billing.finalize(november.id, 'finance')).status).toBe('finalized');
    const line = december.lines?.find((candidate) => candidate.kind === 'adjustment')?.lineNo;
    await expect(app.billing.finalize(december.id, 'finance')).rejects.toMatchObject({
      message: `invoice ${december.id} was drafted before another document adjusted the same invoice; run billing for its period again, then finalize`,
      errors: [
        {
          path: `line ${line}`,
          message:
            'adjusts premium_support of invoice US-000001 as billed 3.25 for 487.50, but finalized documents now bill 5.25 for 787.50',
        },
      ],
    });
    expect((await app.billing.get(december.id)).status).toBe('draft');
    // The grace period skips it with the reason, rather than failing the others.
    clock.set('2027-02-01T00:00:00Z');
    expect(await app.billing.finalizeDue('system')).toEqual({
      finalized: [],
      skipped: [{ id: december.id, reason: expect.stringContaining('as billed 3.25 for 487.50') }],
    });

    // Then a run of December redraws it without the adjustment, and it finalizes: 300.00 billed once.
    expect((await app.billing.run('2026-12', 'finance')).invoices).toMatchObject({ updated: 1 });
    expect(await adjustmentsOf(december.id)).toEqual([]);
    expect((await app.billing.finalize(december.id, 'finance')).status).toBe('finalized');
    expect(await finalizedAdjustmentTotal()).toBe('300.00');
  });

  it('two finalizations at once of drafts adjusting the same invoice: exactly one succeeds', async () => {
    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    clock.set('2027-01-02T00:00:00Z');
    await app.billing.run('2026-12', 'finance');
    const ids = [(await draftOf('2026-11-01T00:00:00.000Z')).id, (await draftOf('2026-12-01T00:00:00.000Z')).id];
    const outcomes = await Promise.allSettled(ids.map((id) => app.billing.finalize(id, 'finance')));
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await finalizedAdjustmentTotal()).toBe('300.00');
  });
});
