import { afterEach, expect, it } from 'vitest';
import { applyStory, completion, postCatalog, send } from '../../test/scenarios/one-month-story.js';
import { accrualStoryCatalog } from '../../test/fixtures/accrual-catalog.js';
import { describeEachStore, type TestStores } from '../../test/harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../../test/harness/test-app.js';
import type { Config } from '../config/index.js';
import type { JournalEntry } from '../modules/connectors/index.js';
import { createApp, type App } from '../main.js';
import { ManualClock } from '../platform/clock.js';
import { Exact } from '../platform/money.js';
import { accrualWorkerStep, PERIOD_END_ACCRUAL_ACTOR, startAccrualWorker } from './accrual-worker.js';

const catalog = accrualStoryCatalog;

/** Automatic accrual an hour after each period's end; the billing grace period is the default 72 h. */
const enabled: Config = { ...testConfig(), accounting: { autoAccrue: true, accrualDelayMinutes: 60 } };

interface RunRow {
  period: string;
  actor: string;
  documents: number;
  accruals: { amount: string }[];
}
const runs = async (app: App) =>
  (await app.db.query<RunRow>(`select period, actor, documents, accruals from accrual_runs order by period`)).rows;

/** The revenue (every line but tax) of the period's drafts: what the accrual must equal to the cent. */
async function draftRevenue(app: App): Promise<Exact> {
  let revenue = new Exact(0);
  for (const summary of await app.billing.list({ status: 'draft' }, 100)) {
    const document = await app.billing.get(summary.id);
    for (const line of document.lines ?? []) if (line.kind !== 'tax') revenue = revenue.plus(line.amount);
  }
  return revenue;
}

describeEachStore('period-end accrual worker', (stores: TestStores) => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const one of opened.splice(0).reverse()) await one.close();
  });
  const start = async (clock: ManualClock, config = enabled): Promise<TestApp> => {
    const t = await startTestApp(stores, { clock, config });
    opened.push(t);
    return t;
  };

  it('accrues a period once after its end and delay, drafting usage no run has billed yet, to the cent', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await start(clock);
    await applyStory(t, catalog('unbilled: "1250"'));
    await send(t, [
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
      completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    // Given the period billed by hand just after its end, then an event of its last minutes metered...
    clock.set('2026-11-01T00:10:00Z');
    await t.app.billing.run('2026-10', 'finance');
    clock.set('2026-11-01T00:20:00Z');
    await send(t, [completion('a-2', 'acme', '2026-10-31T23:50:00Z', 1000)]);
    await t.app.metering.stage.runUntilCaughtUp();

    // ...nothing is accrued before the delay after the period's end has passed,
    clock.set('2026-11-01T00:59:59Z');
    await accrualWorkerStep(t.app)();
    expect(await runs(t.app)).toEqual([]);
    expect(await t.app.postings.list({}, 10)).toEqual([]);

    // ...and once it has, two processes' workers accrue the period once between them.
    clock.set('2026-11-01T01:00:00Z');
    const other = await createApp(enabled, { db: t.app.db, clock });
    opened.push(other);
    const workers = [startAccrualWorker(t.app, { checkEveryMs: 10 }), startAccrualWorker(other, { checkEveryMs: 10 })];
    await expect.poll(async () => (await runs(t.app)).length, { timeout: 10_000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // several more checks of both
    await Promise.all(workers.map((worker) => worker?.stop()));

    // Fees 49.00 × 2, acme's 13,000 tokens 23.00 (the late 1,000 drafted by the accrual's billing run),
    // initech's 8,000 tokens 16.00: 137.00 of revenue, tax left out.
    const revenue = await draftRevenue(t.app);
    expect(revenue.toFixed()).toBe('137');
    expect(await runs(t.app)).toEqual([
      {
        period: '2026-10',
        actor: PERIOD_END_ACCRUAL_ACTOR,
        documents: 2,
        accruals: [expect.objectContaining({ amount: '137' })],
      },
    ]);
    const postings = await t.app.postings.list({}, 10);
    expect(postings.map((posting) => posting.kind).sort()).toEqual(['accrual', 'reversal']);
    const accrual = postings.find((posting) => posting.kind === 'accrual')?.body as JournalEntry;
    const debits = accrual.lines.reduce((sum, line) => sum.plus(line.debit), new Exact(0));
    const credits = accrual.lines.reduce((sum, line) => sum.plus(line.credit), new Exact(0));
    expect(debits.equals(revenue) && credits.equals(revenue)).toBe(true);
    expect(accrual.postingDate).toBe('2026-10-31');

    // Later checks within the window, and after it, add nothing.
    clock.set('2026-11-02T00:00:00Z');
    await accrualWorkerStep(t.app)();
    clock.set('2026-11-05T00:00:00Z');
    await accrualWorkerStep(t.app)();
    expect(await runs(t.app)).toHaveLength(1);
    expect(await t.app.postings.list({}, 10)).toHaveLength(2);
  });

  it('records an empty run for a period with nothing to accrue', async () => {
    const clock = new ManualClock('2026-09-20T00:00:00Z');
    const t = await start(clock);
    await applyStory(t, catalog('unbilled: "1250"'));
    clock.set('2026-10-01T02:00:00Z'); // September ended; the subscriptions start in October
    await accrualWorkerStep(t.app)();
    expect(await runs(t.app)).toEqual([
      { period: '2026-09', actor: PERIOD_END_ACCRUAL_ACTOR, documents: 0, accruals: [] },
    ]);
    expect(await t.app.postings.list({}, 10)).toEqual([]);
  });

  it('keeps retrying a period it cannot accrue yet, and accrues it once the catalog is fixed', async () => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const t = await start(clock);
    await applyStory(t, catalog('discount: "4900"')); // no unbilled account: refused
    await send(t, [completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000)]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T02:00:00Z');
    await expect(accrualWorkerStep(t.app)()).rejects.toThrow(/cannot accrue/);
    const worker = startAccrualWorker(t.app, { checkEveryMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // failing checks, logged and retried
    expect(await runs(t.app)).toEqual([]);
    expect((await postCatalog(t, catalog('unbilled: "1250"'))).status).toBe(201);
    await expect.poll(async () => (await runs(t.app)).length, { timeout: 10_000 }).toBe(1);
    await worker?.stop();
    // Fees 49.00 × 2 and acme's 12,000 tokens 22.00.
    expect((await runs(t.app))[0]?.accruals).toEqual([expect.objectContaining({ amount: '120' })]);
  });

  it('starts no worker and accrues nothing while automatic accrual is off', async () => {
    const clock = new ManualClock('2026-09-20T00:00:00Z');
    const t = await start(clock, testConfig());
    await applyStory(t, catalog('unbilled: "1250"'));
    clock.set('2026-10-01T02:00:00Z');
    expect(startAccrualWorker(t.app, { checkEveryMs: 10 })).toBeUndefined();
    await accrualWorkerStep(t.app)();
    expect(await runs(t.app)).toEqual([]);
  });
});
