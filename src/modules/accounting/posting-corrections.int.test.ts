import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { applyStory, completion, post, send } from '../../../test/scenarios/one-month-story.js';
import { ledgerHookCatalog, ledgerHookDispatcher } from '../../../test/fixtures/ledger-hook.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../test/harness/test-app.js';
import { WebhookReceiver } from '../../../test/harness/webhook-receiver.js';
import { ManualClock } from '../../platform/clock.js';
import { Exact } from '../../platform/money.js';
import type { JournalEntry } from '../connectors/index.js';
import type { Dispatcher, Posting } from '../outbox/index.js';

/** The story's journal posting, Acme's late usage reissuing (voiding) its invoice, Initech's corrected by memo. */
const journalCatalog = (url: string, postingDate: 'document' | 'period_end') =>
  ledgerHookCatalog(url, postingDate).replace('latePolicy: roll_forward', 'latePolicy: reissue');

const NOTHING = { delivered: 0, adopted: 0, failed: 0, dead: 0 };
const ONE = { ...NOTHING, delivered: 1 };

describeEachStore('a journal correction waits for the entry of the invoice it corrects', (stores) => {
  const receiver = new WebhookReceiver();
  let url: string;
  let clock: ManualClock;
  let t: TestApp;
  let dispatcher: Dispatcher;

  beforeAll(async () => {
    url = await receiver.start();
  });
  afterAll(() => receiver.stop());

  beforeEach(async () => {
    receiver.requests.length = 0;
    receiver.stored.clear();
    receiver.answer = () => 'store';
    clock = new ManualClock('2026-10-20T09:00:00Z');
    t = await startTestApp(stores, { clock });
    dispatcher = ledgerHookDispatcher(t.app.db, clock, url);
  });
  afterEach(() => t?.close());

  /** October billed on 1 November and the customer's invoice finalized an hour later (not waiting out grace). */
  async function octoberInvoice(postingDate: 'document' | 'period_end', customer: string, tokens: number) {
    await applyStory(t, journalCatalog(url, postingDate));
    await send(t, [completion(`${customer}-1`, customer, '2026-10-03T10:00:00Z', tokens)]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
    clock.set('2026-11-01T02:00:00Z');
    const [draft] = await t.app.billing.list({ customer, status: 'draft' }, 10);
    await post(t, `/v1/invoices/${draft!.id}/finalize`);
    const [entry, ...others] = await t.app.postings.list({}, 10);
    expect(others).toEqual([]);
    return { invoiceId: draft!.id, entry: entry! };
  }

  /** Late October usage, then October billed again: a void (Acme) or a draft memo (Initech). */
  async function lateUsage(customer: string, at: string) {
    clock.set(at);
    await send(t, [completion(`${customer}-late`, customer, '2026-10-30T22:00:00Z', 4000)]);
    await t.app.metering.stage.runUntilCaughtUp();
    return post(t, '/v1/billing-runs', { period: '2026-10' });
  }

  async function finalizeMemo(customer: string) {
    const memo = (await t.app.billing.list({ customer, status: 'draft' }, 10)).find((one) => one.correctsInvoice);
    expect(memo).toBeDefined();
    await post(t, `/v1/invoices/${memo!.id}/finalize`);
    return memo!;
  }

  const postingsBut = async (first: Posting) => (await t.app.postings.list({}, 10)).filter((p) => p.id !== first.id);
  const arrivals = () => receiver.requests.map((request) => request.idempotencyKey);
  const stored = (): JournalEntry[] => [...receiver.stored.values()].map((body) => JSON.parse(body) as JournalEntry);

  it('holds a void until the voided invoice’s period-end entry is delivered; the ledger nets to zero', async () => {
    // Acme's October invoice posts on 31 October, sent once the grace period is over: 4 November, 01:00.
    const original = await octoberInvoice('period_end', 'acme', 12000);
    const run = await lateUsage('acme', '2026-11-02T10:00:00Z');
    expect(run.reissued).toHaveLength(1);

    // The void's reversal is 2 November's (sent on the 6th, after the grace period too), after the 31st's.
    const [correction, ...others] = await postingsBut(original.entry);
    expect(others).toEqual([]);
    expect(correction).toMatchObject({ kind: 'journal', dependsOn: original.entry.id, status: 'pending' });
    expect(correction!.externalId).toMatch(/^J-[A-Z2-7]{14}$/);
    expect((correction!.body as JournalEntry).postingDate).toBe('2026-11-02');
    expect((correction!.body as JournalEntry).memo).toContain(`corrections of ${original.entry.externalId}`);

    // The ERP turns the 31 October entry away until the 6th: the void, due by then, is not sent either.
    receiver.answer = (index) => (index < 2 ? { status: 409 } : 'store');
    clock.set('2026-11-04T01:00:01Z');
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    clock.set('2026-11-06T02:00:00Z');
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0, failed: 1 });
    clock.set('2026-11-06T03:00:00Z');
    expect(await dispatcher.runOnce()).toEqual(ONE);
    expect(await dispatcher.runOnce()).toEqual(ONE);
    expect(arrivals().slice(2)).toEqual([original.entry.externalId, correction!.externalId]);
    // Acme 76.15 (49.00 fee, 22.00 tokens, 5.15 tax), reversed whole.
    expect(netByAccount(stored())).toEqual({ '1200': '0', '2300': '0', '4000': '0', '4010': '0' });
    expect(receivable(stored())).toEqual(['76.15', '-76.15']);
  });

  it('holds a memo while the corrected invoice’s entry is dead; retrying the entry releases both, in order', async () => {
    const original = await octoberInvoice('document', 'initech', 8000);
    // The ERP refuses 1 November's entry: dead at once.
    receiver.answer = (index) => (index === 0 ? { status: 400, body: 'account 4010 is inactive' } : 'store');
    clock.set('2026-11-02T01:00:01Z');
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0, dead: 1 });
    await lateUsage('initech', '2026-11-02T02:00:00Z');
    const { id: memoId } = await finalizeMemo('initech');

    const [memo] = await postingsBut(original.entry);
    expect(memo).toMatchObject({ dependsOn: original.entry.id, status: 'pending' });
    expect((memo!.body as JournalEntry).postingDate).toBe('2026-11-02');
    clock.set('2026-11-03T02:00:00Z');
    expect(await dispatcher.runOnce()).toEqual(NOTHING);

    await t.app.postings.retry(original.entry.id, 'test');
    expect(await dispatcher.runOnce()).toEqual(ONE);
    expect(await dispatcher.runOnce()).toEqual(ONE);
    expect(arrivals()).toEqual([original.entry.externalId, original.entry.externalId, memo!.externalId]);
    // Initech 69.71 (49.00, 16.00, 4.71 tax), then the memo's total, each to the cent.
    const memoTotal = (await t.app.billing.get(memoId)).total;
    expect(receivable(stored())).toEqual(['69.71', new Exact(memoTotal).toFixed(2)]);
  });

  it('holds a memo joining the corrected invoice’s own date once that entry was claimed (here, retrying)', async () => {
    // Period-end dates put the memo on 31 October, the invoice's own date; its entry is already trying.
    const original = await octoberInvoice('period_end', 'initech', 8000);
    receiver.answer = (index) => (index < 2 ? { status: 409 } : 'store');
    clock.set('2026-11-04T01:00:01Z');
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0, failed: 1, dead: 0 });
    await lateUsage('initech', '2026-11-04T02:00:00Z');
    await finalizeMemo('initech');

    // Not the date's next entry, due at once and free to overtake: an entry of its own, after the first.
    const [memo] = await postingsBut(original.entry);
    expect(memo).toMatchObject({ dependsOn: original.entry.id });
    expect((memo!.body as JournalEntry).postingDate).toBe('2026-10-31');
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 0, failed: 1, dead: 0 });
    clock.set('2026-11-04T03:00:00Z');
    expect(await dispatcher.runOnce()).toEqual(ONE);
    expect(await dispatcher.runOnce()).toEqual(ONE);
    expect(arrivals().slice(2)).toEqual([original.entry.externalId, memo!.externalId]);
  });

  it('posts a memo of an invoice the ledger already holds as any document: its own date, no wait', async () => {
    const original = await octoberInvoice('document', 'initech', 8000);
    clock.set('2026-11-02T01:00:01Z');
    expect(await dispatcher.runOnce()).toEqual(ONE);
    await lateUsage('initech', '2026-11-02T02:00:00Z');
    await finalizeMemo('initech');

    const [memo] = await postingsBut(original.entry);
    expect(memo).toMatchObject({ dependsOn: null, status: 'pending' });
    expect((memo!.body as JournalEntry).memo).toBe('Meterbridge usage revenue US USD 2026-11-02');
  });

  it('nets a void of the same day into the entry of the invoice it voids', async () => {
    const original = await octoberInvoice('document', 'acme', 12000);
    const run = await lateUsage('acme', '2026-11-01T05:00:00Z');
    expect(run.reissued).toHaveLength(1);

    const [entry, ...others] = await t.app.postings.list({}, 10);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ id: original.entry.id, dependsOn: null });
    expect(netByAccount([entry!.body as JournalEntry])).toEqual({ '1200': '0', '2300': '0', '4000': '0', '4010': '0' });
    // Refused and retried, the entry is rendered again from both contributions: the invoice and its void.
    await t.app.db.query(`update postings set status = 'dead' where id = $1`, [entry!.id]);
    expect((await t.app.postings.retry(entry!.id, 'test')).body).toEqual(entry!.body);
  });
});

/** What the ledger holds per account over every entry: debits less credits, exact. */
function netByAccount(entries: readonly JournalEntry[]): Record<string, string> {
  const net = new Map<string, Exact>();
  for (const line of entries.flatMap((entry) => entry.lines))
    net.set(line.account, (net.get(line.account) ?? new Exact(0)).plus(line.debit).minus(line.credit));
  return Object.fromEntries([...net].sort(([a], [b]) => a.localeCompare(b)).map(([key, sum]) => [key, sum.toFixed()]));
}

/** Each entry's receivable (1200): debited less credited, in the order the entries arrived. */
const receivable = (entries: readonly JournalEntry[]): string[] =>
  entries.map((entry) =>
    entry.lines
      .filter((line) => line.account === '1200')
      .reduce((sum, line) => sum.plus(line.debit).minus(line.credit), new Exact(0))
      .toFixed(2),
  );
