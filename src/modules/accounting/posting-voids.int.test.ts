import { afterAll, beforeAll, expect, it } from 'vitest';
import { applyStory, completion, post, postedStoryCatalog, send } from '../../../test/scenarios/one-month-story.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../test/harness/test-app.js';
import { ManualClock } from '../../platform/clock.js';
import type { ErpDocument } from '../connectors/index.js';

/** The story's catalog in invoice mode to a file export, Acme's late usage reissuing its invoice. */
const invoiceModeCatalog = postedStoryCatalog(
  '- { key: ledger-files, kind: file, settings: { directory: exports-never-written, formats: [jsonl] } }',
  `target: ledger-files
mode: invoice
accounts:
  receivable: "1200"
  revenue: { default: "4000" }
  taxPayable: { US-CA: "2300" }`,
)
  .replace('aliases: [acct_1001] }', 'aliases: [acct_1001], externalIds: { erp: "C-1" } }')
  .replace('taxRegion: US-CA }', 'taxRegion: US-CA, externalIds: { erp: "C-2" } }')
  .replace('latePolicy: roll_forward', 'latePolicy: reissue');

describeEachStore('posting a voided invoice in invoice mode', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(stores, { clock });
    await applyStory(t, invoiceModeCatalog);
  });
  afterAll(() => t?.close());

  it('posts one ERP invoice per finalized invoice, and a credit memo for the void, sent after the invoice', async () => {
    await send(t, [completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000)]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
    clock.set('2026-11-04T02:00:00Z');
    await post(t, '/v1/invoices/finalize-due');

    // Late October usage reissues Acme's October invoice: voided, drawn again.
    await send(t, [completion('a-late', 'acme', '2026-10-31T22:00:00Z', 1500)]);
    await t.app.metering.stage.runUntilCaughtUp();
    const run = await post(t, '/v1/billing-runs', { period: '2026-10' });
    expect(run.reissued).toHaveLength(1);

    const postings = await t.app.postings.list({}, 10);
    const acmeOctober = (await t.app.billing.list({ customer: 'acme' }, 10)).find((one) => one.status === 'void');
    const invoice = postings.find((one) => one.subject === `invoice:${acmeOctober?.id}`);
    const credit = postings.find((one) => one.subject === `void:${acmeOctober?.id}`);
    expect(invoice?.body).toMatchObject({ type: 'invoice', customer: 'C-1', total: '76.15', tax: '5.15' });
    // Acme 12,000 tokens: 49.00 fee + 22.00 tokens, tax 5.15; the credit memo takes all of it back.
    expect(credit?.body).toMatchObject({
      type: 'credit_memo',
      customer: 'C-1',
      total: '76.15',
      tax: '5.15',
      corrects: (invoice?.body as ErpDocument).externalId,
    });
    expect((credit?.body as ErpDocument).lines.map((line) => line.amount)).toEqual(['49.00', '22.00']);
    expect(credit?.externalId).toMatch(/^V-[A-Z2-7]{14}$/);
    expect(credit?.dependsOn).toBe(invoice?.id);

    // Refused and retried, the void is rendered again as the void: the same credit memo, not the invoice.
    await t.app.db.query(`update postings set status = 'dead' where id = $1`, [credit!.id]);
    expect((await t.app.postings.retry(credit!.id, 'test')).body).toEqual(credit!.body);
  });
});
