import { expect, it } from 'vitest';
import { describeEachStore } from '../../../../test/harness/stores.js';
import type { App } from '../../../main.js';
import type { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { ingestAndMeter, llmCatalogYaml, llmFixture, llmRequest } from '../../../../test/fixtures/llm-catalog.js';

// A memo draft whose late usage another document billed first (a roll-forward adjustment, drafted under the
// other policy) is refused at finalization; the refusal says to run billing for its period again, and that
// run must then bring the memo up to date: here there is nothing left to correct, so no memo remains.
describeEachStore('a memo draft overtaken by a roll-forward adjustment', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;

  const finalizedAdjustments = async () =>
    (
      await db.query<{ total: string | null }>(
        `select sum(l.amount)::text as total from invoice_lines l join invoices i on i.id = l.invoice_id
          where l.kind = 'adjustment' and i.status = 'finalized'`,
      )
    ).rows[0]?.total;
  const drafts = async () => app.billing.list({ status: 'draft' }, 10);
  const setPolicy = (latePolicy: string) => app.catalog.apply(llmCatalogYaml({ latePolicy }), 'catalog.yaml', 'test');

  const start = async (latePolicy: string) => {
    db = await stores.fresh();
    ({ app, clock } = await llmFixture(db, { graceHours: 0, latePolicy }));
    // October finalized with no usage (US-000001), then a request of October 16 arrives late: 1 call and
    // 36 tokens, 0.50 + 0.45.
    await app.billing.run('2026-10', 'finance');
    expect((await app.billing.finalizeDue('finance')).finalized).toHaveLength(1);
    await ingestAndMeter(app, [llmRequest('2026-10-16T12:00:00Z', 36)]);
    clock.set('2026-12-02T00:00:00Z');
  };

  it('memo then roll_forward: the run drops the memo draft, and the late usage is billed once', async () => {
    await start('memo');
    await app.billing.run('2026-11', 'finance');
    expect((await drafts()).map((draft) => draft.document).sort()).toEqual(['invoice', 'memo']);
    // The policy becomes roll_forward: November's draft now carries the adjustment and finalizes.
    await setPolicy('roll_forward');
    await app.billing.run('2026-11', 'finance');
    const november = (await drafts()).find((draft) => draft.document === 'invoice');
    expect((await app.billing.finalize(november?.id as string, 'finance')).status).toBe('finalized');

    // Running billing for the period again, as the refusal says, leaves nothing stale to finalize.
    await app.billing.run('2026-11', 'finance');
    expect(await app.billing.finalizeDue('finance')).toEqual({ finalized: [], skipped: [] });
    expect(await drafts()).toEqual([]);
    expect(await finalizedAdjustments()).toBe('0.95');
  });

  it('roll_forward then memo: a memo drawn beside an unfinalized adjustment is dropped once that adjustment is billed', async () => {
    await start('roll_forward');
    await app.billing.run('2026-11', 'finance');
    const november = (await drafts()).find((draft) => draft.document === 'invoice');
    // The policy becomes memo before November is finalized: December's run drafts a memo for the same usage.
    await setPolicy('memo');
    clock.set('2027-01-02T00:00:00Z');
    await app.billing.run('2026-12', 'finance');
    expect((await drafts()).map((draft) => draft.document).sort()).toEqual(['invoice', 'invoice', 'memo']);
    expect((await app.billing.finalize(november?.id as string, 'finance')).status).toBe('finalized');

    await app.billing.run('2026-12', 'finance');
    expect((await app.billing.finalizeDue('finance')).skipped).toEqual([]);
    expect(await drafts()).toEqual([]);
    expect(await finalizedAdjustments()).toBe('0.95');
  });
});
