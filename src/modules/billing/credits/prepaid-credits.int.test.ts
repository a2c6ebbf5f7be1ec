import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../../test/harness/stores.js';
import type { App } from '../../../main.js';
import type { ManualClock } from '../../../platform/clock.js';
import type { Database } from '../../../platform/database/database.js';
import { referenceCatalogDocument } from '../../../../test/fixtures/reference-catalog.js';
import { ingestAll, supportSession } from '../../../../test/fixtures/metering.js';
import { freshOctober } from '../../../../test/fixtures/october-billing.js';

describeEachStore('prepaid credits and commits', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;

  beforeEach(async () => {
    ({ db, app, clock } = await freshOctober(stores));
  });

  /** Applies the reference catalog with acme's subscription changed. */
  async function withAcme(change: (subscription: Record<string, unknown>) => void): Promise<void> {
    const document = referenceCatalogDocument();
    change(document.subscriptions[0]);
    await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'finance');
  }

  async function onlyDraft() {
    const drafts = await app.billing.list({ status: 'draft', customer: 'acme' }, 10);
    expect(drafts).toHaveLength(1);
    return app.billing.get(drafts[0]?.id as string);
  }

  const linesOf = (invoice: Awaited<ReturnType<typeof onlyDraft>>) =>
    (invoice.lines ?? []).map((line) => [line.kind, line.creditKey ?? line.chargeKey, line.amount]);

  it('invoices a commit once, draws it down invoice by invoice until it is used up, and shows the balance at every step', async () => {
    await withAcme(
      (subscription) =>
        (subscription.credits = [
          { key: 'fy26', name: 'FY26 commit', kind: 'commit', amount: '600', effectiveFrom: '2026-10-01T00:00:00Z' },
        ]),
    );
    await app.billing.run('2026-10', 'finance');
    const october = await onlyDraft();
    expect(linesOf(october)).toEqual([
      ['flat_fee', 'platform_fee', '500.00'],
      ['usage', 'api', '0.00'],
      ['usage', 'storage', '12.05'],
      ['usage', 'premium_support', '487.50'],
      ['commitment', 'fy26', '600.00'],
      ['credit', 'fy26', '-499.55'],
      ['tax', null, '79.75'],
    ]);
    expect(october.lines?.[5]?.description).toBe(
      'Prepaid commit FY26 commit: 499.55 applied, 100.45 of 600.00 USD left',
    );
    expect(october).toMatchObject({ subtotal: '1100.00', total: '1179.75' });
    expect(await app.billing.credits({}, 10)).toEqual([
      expect.objectContaining({
        id: 'acme-growth-2026/fy26',
        kind: 'commit',
        amount: '600.00',
        drawn: '0.00',
        pending: '499.55',
        remaining: '100.45',
        status: 'active',
        invoicedOn: october.id,
      }),
    ]);
    // Running again redraws the same lines: the draft's own draw is replaced, never counted twice.
    expect((await app.billing.run('2026-10', 'finance')).invoices).toMatchObject({ unchanged: 1 });
    await app.billing.finalize(october.id, 'finance');
    expect(await app.billing.credit('acme-growth-2026', 'fy26')).toMatchObject({
      drawn: '499.55',
      pending: '0.00',
      remaining: '100.45',
    });

    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    const november = await onlyDraft();
    // 9 support hours (1,350.00) and the December fee; the commit pays what is left of it and is not invoiced again.
    expect(linesOf(november).filter(([kind]) => kind === 'commitment' || kind === 'credit')).toEqual([
      ['credit', 'fy26', '-100.45'],
    ]);
    expect(november.lines?.find((line) => line.kind === 'credit')?.description).toBe(
      'Prepaid commit FY26 commit: 100.45 applied, 0.00 of 600.00 USD left',
    );
    const credit = await app.billing.credit('acme-growth-2026', 'fy26');
    expect(credit).toMatchObject({ drawn: '499.55', pending: '100.45', remaining: '0.00', status: 'exhausted' });
    expect(credit.entries.map((entry) => [entry.kind, entry.amount, entry.status, entry.number])).toEqual([
      ['commitment', '600.00', 'finalized', 'US-000001'],
      ['credit', '499.55', 'finalized', 'US-000001'],
      ['credit', '100.45', 'draft', null],
    ]);
  });

  it('draws grants in priority order, each only for its charges and while in force; an expired grant keeps its remainder as forfeited', async () => {
    await withAcme(
      (subscription) =>
        (subscription.credits = [
          { key: 'general', kind: 'grant', amount: '1000', priority: 5 },
          {
            key: 'support',
            kind: 'grant',
            amount: '500',
            charges: ['premium_support'],
            expiresAt: '2026-11-01T00:00:00Z',
          },
        ]),
    );
    await app.billing.run('2026-10', 'finance');
    const october = await onlyDraft();
    // Grants are not invoiced; support (priority 0) pays premium support, general the storage left.
    expect(linesOf(october).slice(4)).toEqual([
      ['credit', 'support', '-487.50'],
      ['credit', 'general', '-12.05'],
      ['tax', null, '36.25'],
    ]);
    expect(october.subtotal).toBe('500.00');
    await app.billing.finalize(october.id, 'finance');

    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    const november = await onlyDraft();
    expect(linesOf(november).filter(([kind]) => kind === 'credit')).toEqual([['credit', 'general', '-987.95']]);
    const balances = await app.billing.credits({ customer: 'acme' }, 10);
    expect(
      balances.map((balance) => [balance.key, balance.status, balance.drawn, balance.pending, balance.remaining]),
    ).toEqual([
      ['general', 'exhausted', '12.05', '987.95', '0.00'],
      ['support', 'expired', '487.50', '0.00', '12.50'],
    ]);
    expect((await app.billing.credits({ status: 'expired' }, 10)).map((balance) => balance.key)).toEqual(['support']);
    expect(await app.billing.credits({ subscription: 'globex-growth-2026' }, 10)).toEqual([]);
  });

  it('pays what the lines cost after the contract discount, rounded down so a credit never pays more than they did', async () => {
    await withAcme((subscription) => {
      subscription.overrides = { discountPercent: '10' };
      subscription.credits = [{ key: 'grant', kind: 'grant', amount: '1000' }];
    });
    await app.billing.run('2026-10', 'finance');
    const october = await onlyDraft();
    // Usage 499.55 less 10 % is 449.595: the credit pays 449.59; the discount is 10 % of 999.55.
    expect(linesOf(october).slice(4)).toEqual([
      ['discount', null, '-99.96'],
      ['credit', 'grant', '-449.59'],
      ['tax', null, '32.63'],
    ]);
    expect(october.subtotal).toBe('450.00');
  });

  it("gives back a reissued invoice's draw and draws again on the replacement: redrafts and reissues never count twice", async () => {
    await withAcme((subscription) => {
      subscription.latePolicy = 'reissue';
      subscription.credits = [{ key: 'grant', kind: 'grant', amount: '600' }];
    });
    await app.billing.run('2026-10', 'finance');
    // More October usage while the invoice is a draft: the redraft draws more, the balance counts it once.
    await ingestAll(app, [supportSession('acme', '2026-10-15T00:00:00Z', { duration_hours: '0.5' })]);
    await app.metering.stage.runUntilCaughtUp();
    expect((await app.billing.run('2026-10', 'finance')).invoices).toMatchObject({ updated: 1 });
    const october = await onlyDraft();
    expect(october.lines?.find((line) => line.kind === 'credit')?.amount).toBe('-574.55');
    expect(await app.billing.credit('acme-growth-2026', 'grant')).toMatchObject({
      pending: '574.55',
      remaining: '25.45',
    });
    await app.billing.finalize(october.id, 'finance');

    await ingestAll(app, [supportSession('acme', '2026-10-31T12:00:00Z', { duration_hours: 1 })]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-12-02T00:00:00Z');
    const summary = await app.billing.run('2026-11', 'finance');
    expect(summary.reissued).toHaveLength(1);
    const replacement = await app.billing.get(summary.reissued[0]?.replacement as string);
    // The voided invoice's 574.55 is back: the replacement draws the whole 600 again, November nothing.
    expect(replacement.lines?.find((line) => line.kind === 'credit')?.amount).toBe('-600.00');
    const credit = await app.billing.credit('acme-growth-2026', 'grant');
    expect(credit).toMatchObject({ drawn: '0.00', pending: '600.00', remaining: '0.00' });
    expect(credit.entries.map((entry) => [entry.status, entry.amount])).toEqual(
      expect.arrayContaining([
        ['void', '574.55'],
        ['draft', '600.00'],
      ]),
    );
    const drawn = await db.query<{ total: string }>(
      `select coalesce(sum(-l.amount), 0)::text as total from invoice_lines l join invoices i on i.id = l.invoice_id where l.kind = 'credit' and i.status <> 'void'`,
    );
    expect(drawn.rows[0]?.total).toBe('600.00');
  });

  it('a finalized credit line can never change: the store refuses it', async () => {
    await withAcme((subscription) => (subscription.credits = [{ key: 'grant', kind: 'grant', amount: '100' }]));
    await app.billing.run('2026-10', 'finance');
    const october = await onlyDraft();
    await app.billing.finalize(october.id, 'finance');
    await expect(
      db.query(`update invoice_lines set amount = -1 where invoice_id = $1 and kind = 'credit'`, [october.id]),
    ).rejects.toThrow(/cannot change/);
    await expect(
      db.query(
        `insert into invoice_lines (invoice_id, line_no, kind, description, period_start, period_end, amount) values ($1, 99, 'credit', 'x', now(), now(), -1)`,
        [october.id],
      ),
    ).rejects.toThrow(/credit_lines_name_their_credit/);
    await expect(
      db.query(
        `insert into invoice_lines (invoice_id, line_no, kind, credit_key, description, period_start, period_end, amount) values ($1, 99, 'credit', 'grant', 'x', now(), now(), -1)`,
        [october.id],
      ),
    ).rejects.toThrow(/lines of invoice .* \(finalized\) cannot change/);
    await expect(
      db.query(`delete from invoice_lines where invoice_id = $1 and kind = 'credit'`, [october.id]),
    ).rejects.toThrow(/cannot change/);
  });

  it('refuses a catalog that removes, shrinks below what was drawn, or turns into a grant a credit finalized invoices used', async () => {
    const commit = { key: 'fy26', kind: 'commit', amount: '600', effectiveFrom: '2026-10-01T00:00:00Z' };
    await withAcme((subscription) => (subscription.credits = [commit]));
    await app.billing.run('2026-10', 'finance');
    // While the invoice is a draft, the credit may still change freely.
    await withAcme((subscription) => (subscription.credits = [{ ...commit, amount: '400' }]));
    await app.billing.run('2026-10', 'finance');
    await app.billing.finalize((await onlyDraft()).id, 'finance');
    const refusal = await withAcme(
      (subscription) => (subscription.credits = [{ ...commit, amount: '399.99', kind: 'grant' }]),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toMatchObject({
      message: 'catalog.json changes prepaid credits that finalized invoices drew on',
      errors: [
        {
          path: '/subscriptions/0/credits/0/amount',
          message: 'must be at least 400.00, what finalized invoices already drew',
        },
        { path: '/subscriptions/0/credits/0/kind', message: 'must stay "commit": a finalized invoice has invoiced it' },
      ],
    });
    await expect(withAcme((subscription) => delete subscription.credits)).rejects.toMatchObject({
      errors: [
        {
          path: '/subscriptions/0/credits',
          message:
            'credit "fy26" was invoiced and drawn by finalized invoices (400.00): keep it, ended with expiresAt if need be, so their lines stay explained',
        },
      ],
    });
    // Raising it, or ending it, is fine; so is the same catalog diffed without refusals.
    await withAcme(
      (subscription) => (subscription.credits = [{ ...commit, amount: '900', expiresAt: '2027-01-01T00:00:00Z' }]),
    );
    expect((await app.catalog.current())?.version).toBe(4);
  });

  it('invoices a commit added after its first period was finalized on the next invoice drafted, never on none', async () => {
    await app.billing.run('2026-10', 'finance');
    await app.billing.finalize((await onlyDraft()).id, 'finance');
    await withAcme(
      (subscription) =>
        (subscription.credits = [
          { key: 'late-commit', kind: 'commit', amount: '2000', effectiveFrom: '2026-10-01T00:00:00Z' },
        ]),
    );
    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    const november = await onlyDraft();
    expect(linesOf(november).filter(([kind]) => kind === 'commitment' || kind === 'credit')).toEqual([
      ['commitment', 'late-commit', '2000.00'],
      ['credit', 'late-commit', '-1350.00'],
    ]);
    expect(await app.billing.credit('acme-growth-2026', 'late-commit')).toMatchObject({
      invoicedOn: november.id,
      pending: '1350.00',
      remaining: '650.00',
    });
  });

  it('two runs of different months at once never overdraw a credit together', async () => {
    await withAcme((subscription) => (subscription.credits = [{ key: 'grant', kind: 'grant', amount: '600' }]));
    clock.set('2026-12-02T00:00:00Z');
    await Promise.all([app.billing.run('2026-10', 'a'), app.billing.run('2026-11', 'b')]);
    // October's usage costs 499.55 and November's 1,350.00: together they draw exactly the 600.00, whichever ran first.
    expect(await app.billing.credit('acme-growth-2026', 'grant')).toMatchObject({
      pending: '600.00',
      remaining: '0.00',
    });
    const drawn = await db.query<{ total: string }>(
      `select sum(-amount)::text as total from invoice_lines where kind = 'credit'`,
    );
    expect(drawn.rows[0]?.total).toBe('600.00');
  });

  it('refuses to finalize a draft made before its credit was lowered, until a run redraws it', async () => {
    await withAcme((subscription) => (subscription.credits = [{ key: 'grant', kind: 'grant', amount: '600' }]));
    await app.billing.run('2026-10', 'finance');
    const october = await onlyDraft();
    await withAcme((subscription) => (subscription.credits = [{ key: 'grant', kind: 'grant', amount: '100' }]));
    await expect(app.billing.finalize(october.id, 'finance')).rejects.toMatchObject({
      message: `invoice ${october.id} was drafted before its prepaid credits changed; run billing for its period again, then finalize`,
      errors: [
        {
          path: 'credit acme-growth-2026/grant',
          message: 'draws 499.55 with 0 already drawn by finalized documents, more than its 100',
        },
      ],
    });
    // The grace period skips it rather than failing; a run redraws it and it finalizes.
    clock.set('2026-11-30T00:00:00Z');
    expect(await app.billing.finalizeDue('system')).toEqual({
      finalized: [],
      skipped: [{ id: october.id, reason: expect.stringContaining('credit acme-growth-2026/grant: draws 499.55') }],
    });
    await app.billing.run('2026-10', 'finance');
    expect((await onlyDraft()).lines?.find((line) => line.kind === 'credit')?.amount).toBe('-100.00');
    expect((await app.billing.finalize(october.id, 'finance')).status).toBe('finalized');
  });

  it('a memo for late usage draws what is left of a credit, like an invoice', async () => {
    await withAcme((subscription) => {
      subscription.latePolicy = 'memo';
      subscription.credits = [{ key: 'grant', kind: 'grant', amount: '600' }];
    });
    await app.billing.run('2026-10', 'finance');
    await app.billing.finalize((await onlyDraft()).id, 'finance');
    await ingestAll(app, [supportSession('acme', '2026-10-31T12:00:00Z', { duration_hours: 1 })]);
    await app.metering.stage.runUntilCaughtUp();
    clock.set('2026-12-02T00:00:00Z');
    expect((await app.billing.run('2026-11', 'finance')).memos).toMatchObject({ created: 1 });
    const documents = await Promise.all(
      (await app.billing.list({ status: 'draft' }, 10)).map((item) => app.billing.get(item.id)),
    );
    const memo = documents.find((document) => document.document === 'memo');
    const november = documents.find((document) => document.document === 'invoice');
    // October drew 499.55; of the 100.45 left, the memo (earlier period) takes its 100.45 of 150.00, November none.
    expect(memo?.lines?.map((line) => [line.kind, line.amount])).toEqual([
      ['adjustment', '150.00'],
      ['credit', '-100.45'],
      ['tax', '3.59'],
    ]);
    expect(november?.lines?.some((line) => line.kind === 'credit')).toBe(false);
    expect(await app.billing.credit('acme-growth-2026', 'grant')).toMatchObject({
      drawn: '499.55',
      pending: '100.45',
      remaining: '0.00',
    });
  });
});
