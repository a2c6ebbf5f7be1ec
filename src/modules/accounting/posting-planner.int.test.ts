import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyStory, completion, post, postCatalog, send } from '../../../test/scenarios/one-month-story.js';
import { ledgerHookCatalog, ledgerHookDispatcher } from '../../../test/fixtures/ledger-hook.js';
import { readJson } from '../../../test/harness/read-json.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../test/harness/test-app.js';
import { WebhookReceiver } from '../../../test/harness/webhook-receiver.js';
import { ManualClock } from '../../platform/clock.js';
import type { JournalEntry } from '../connectors/index.js';
import { createPostings } from '../outbox/index.js';

describeEachStore('posting finalized invoices as a summarized journal entry', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  const receiver = new WebhookReceiver();
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp(stores, { clock });
    url = await receiver.start();
    await applyStory(t, ledgerHookCatalog(url));
  });
  afterAll(async () => {
    await receiver.stop();
    await t?.close();
  });

  it('gathers the day’s finalized invoices into one balanced entry, sends it once the day is over, to the cent', async () => {
    await send(t, [
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
      completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
    // Before anything is final or sent, finance previews what the month would post: the same entry.
    const preview = await readJson(await t.request('/v1/postings/preview?period=2026-10'));
    expect(preview).toMatchObject({ period: '2026-10', documents: 2, postings: [{ targetKey: 'ledger-hook' }] });
    expect(
      preview.postings[0].body.lines.map((line: { account: string; debit: string; credit: string }) => [
        line.account,
        line.debit,
        line.credit,
      ]),
    ).toEqual([
      ['4010', '0', '98'],
      ['4000', '0', '38'],
      ['2300', '0', '9.86'],
      ['1200', '145.86', '0'],
    ]);
    expect((await t.request('/v1/postings/preview?period=2026-13')).status).toBe(400);
    expect(await t.app.postings.list({}, 10)).toEqual([]);
    clock.set('2026-11-04T02:00:00Z');
    await post(t, '/v1/invoices/finalize-due');

    // Acme 76.15 (49.00 fee, 22.00 tokens, 5.15 tax) and Initech 69.71 (49.00, 16.00, 4.71), both
    // finalized on 4 November: one entry for US, USD, 2026-11-04.
    const postings = createPostings({ db: t.app.db, clock });
    const [posting, ...others] = await postings.list({}, 10);
    expect(others).toEqual([]);
    expect(posting).toMatchObject({ targetKey: 'ledger-hook', kind: 'journal', status: 'pending', period: '2026-11' });
    const entry = posting!.body as JournalEntry;
    expect(entry.externalId).toMatch(/^J-[A-Z2-7]{14}$/);
    expect(entry.postingDate).toBe('2026-11-04');
    expect(entry.lines.map((line) => [line.account, line.debit, line.credit, line.references.length])).toEqual([
      ['4010', '0', '98', 2],
      ['4000', '0', '38', 2],
      ['2300', '0', '9.86', 2],
      ['1200', '145.86', '0', 2],
    ]);

    const dispatcher = ledgerHookDispatcher(t.app.db, clock, url);
    // Not before the day is over (and an hour more for stragglers).
    expect(await dispatcher.runOnce()).toEqual({ delivered: 0, adopted: 0, failed: 0, dead: 0 });
    // Say the ERP refused the entry: tokens belong in 4020. Fixed in the catalog, the retry renders the
    // same documents again with the current mapping, under the same external id.
    await t.app.db.query(`update postings set status = 'dead' where id = $1`, [posting!.id]);
    const fixed = await postCatalog(
      t,
      ledgerHookCatalog(url).replace('revenue: { default: "4000",', 'revenue: { default: "4020",'),
    );
    expect(fixed.status).toBe(201);
    const retried = await t.app.postings.retry(posting!.id, 'test');
    const rendered = retried.body as JournalEntry;
    expect(rendered.externalId).toBe(entry.externalId);
    expect(rendered.lines.map((line) => [line.account, line.debit, line.credit])).toEqual([
      ['4010', '0', '98'],
      ['4020', '0', '38'],
      ['2300', '0', '9.86'],
      ['1200', '145.86', '0'],
    ]);

    clock.set('2026-11-05T01:00:01Z');
    expect(await dispatcher.runOnce()).toEqual({ delivered: 1, adopted: 0, failed: 0, dead: 0 });
    expect(JSON.parse(receiver.stored.get(entry.externalId) ?? '{}')).toEqual(rendered);
  });
});
