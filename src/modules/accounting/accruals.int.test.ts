import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  applyStory,
  completion,
  post,
  postCatalog,
  postedStoryCatalog,
  send,
} from '../../../test/scenarios/one-month-story.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../test/harness/test-app.js';
import { ManualClock } from '../../platform/clock.js';
import { ValidationError } from '../../platform/errors.js';
import type { JournalEntry } from '../connectors/index.js';

const catalog = (unbilled: string) =>
  postedStoryCatalog(
    '- { key: ledger-files, kind: file, settings: { directory: exports-never-written, formats: [jsonl] } }',
    `target: ledger-files
mode: journal
accounts:
  receivable: "1200"
  revenue: { default: "4000", charges: { platform_fee: "4010" } }
  taxPayable: { US-CA: "2300" }
  ${unbilled}`,
  );

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
    await t.app.accrue('2026-10');
    expect(await t.app.postings.list({}, 10)).toHaveLength(2);
  });
});
