import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyStory, completion, post, postCatalog, send } from '../../../test/scenarios/one-month-story.js';
import { accrualStoryCatalog } from '../../../test/fixtures/accrual-catalog.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../test/harness/test-app.js';
import { ManualClock } from '../../platform/clock.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { createAccruals } from './accruals.js';
import type { JournalEntry } from '../connectors/index.js';

const catalog = accrualStoryCatalog;

describeEachStore('accruing revenue still on drafts at period close', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(stores, { clock });
    await applyStory(t, catalog('discount: "4900"'));
    await send(t, [
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
      completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
  });
  afterAll(() => t?.close());

  it('refuses to accrue without an unbilled revenue account, or for a malformed period, naming the field', async () => {
    await expect(t.app.accrue('2026-10')).rejects.toThrow(
      expect.objectContaining({
        errors: [
          {
            path: '/legalEntities/0/accounting/accounts/unbilled',
            message: expect.stringMatching(/is required to accrue/),
          },
        ],
      }),
    );
    await expect(t.app.accrue('2026-1')).rejects.toThrow(ValidationError);
    expect(await t.app.postings.list({}, 10)).toEqual([]);
  });

  it('accrues the drafts’ revenue on the last day, reversed on the next first day, once', async () => {
    const applied = await postCatalog(t, catalog('unbilled: "1250"'));
    expect(applied.status).toBe(201);
    const result = await t.app.accrue('2026-10');
    // Fees 49.00 × 2 = 98.00 and tokens 22.00 + 16.00 = 38.00: 136.00 of revenue, tax left out.
    expect(result).toMatchObject({
      period: '2026-10',
      documents: 2,
      accruals: [{ legalEntity: 'US', currency: 'USD', amount: '136' }],
      recorded: true,
    });
    const postings = await t.app.postings.list({}, 10);
    const accrual = postings.find((one) => one.kind === 'accrual');
    const reversal = postings.find((one) => one.kind === 'reversal');
    const lines = (body: unknown) =>
      (body as JournalEntry).lines.map((line) => [line.account, line.debit, line.credit]);
    expect((accrual?.body as JournalEntry).postingDate).toBe('2026-10-31');
    expect(lines(accrual?.body)).toEqual([
      ['4010', '0', '98'],
      ['4000', '0', '38'],
      ['1250', '136', '0'],
    ]);
    expect((reversal?.body as JournalEntry).postingDate).toBe('2026-11-01');
    expect(lines(reversal?.body)).toEqual([
      ['4010', '98', '0'],
      ['4000', '38', '0'],
      ['1250', '0', '136'],
    ]);
    expect(reversal?.dependsOn).toBe(accrual?.id);
    expect(await t.app.accrue('2026-10')).toMatchObject({ recorded: false, accruals: result.accruals });
    expect(await t.app.postings.list({}, 10)).toHaveLength(2);
    const recorded = await t.app.db.query<{ period: string; documents: number }>(
      `select period, documents from accrual_runs`,
    );
    expect(recorded.rows).toEqual([{ period: '2026-10', documents: 2 }]);

    // An accrual refused and retried is sent as it was built from the drafts, never rendered as invoices.
    await t.app.db.query(`update postings set status = 'dead' where id = $1`, [accrual!.id]);
    expect((await t.app.postings.retry(accrual!.id, 'test')).body).toEqual(accrual!.body);
  });
});

describeEachStore('accruing a period from several processes at once', (stores) => {
  it('records one run and writes its entries once, whichever accrual wins', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await startTestApp(stores, { clock });
    try {
      await applyStory(t, catalog('unbilled: "1250"'));
      await send(t, [completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000)]);
      await t.app.metering.stage.runUntilCaughtUp();
      clock.set('2026-11-01T01:00:00Z');
      const accrue = createAccruals({ db: t.app.db, catalog: t.app.catalog, billing: t.app.billing, clock });
      // On PostgreSQL the two run side by side: one may find the period's billing run taken (a conflict,
      // retried by the worker), or wait on the other's run row and find it recorded.
      const outcomes = await Promise.allSettled([accrue('2026-10', { once: true }), accrue('2026-10', { once: true })]);
      const answers = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      for (const outcome of outcomes)
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConflictError);
      expect(answers.filter((answer) => answer.recorded)).toHaveLength(1);
      for (const answer of answers) expect(answer.accruals).toEqual([expect.objectContaining({ amount: '120' })]);
      expect(await t.app.postings.list({}, 10)).toHaveLength(2);
      const recorded = await t.app.db.query(`select period from accrual_runs`);
      expect(recorded.rows).toEqual([{ period: '2026-10' }]);
    } finally {
      await t.close();
    }
  });
});
