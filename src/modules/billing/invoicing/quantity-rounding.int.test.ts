import { beforeEach, expect, it } from 'vitest';
import { ingestAndMeter, llmFixture, llmRequest, octoberTime } from '../../../../test/fixtures/llm-catalog.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import type { App } from '../../../main.js';
import type { ManualClock } from '../../../platform/clock.js';
import { rateCharge } from '../../rating/index.js';

describeEachStore('quantity rounding in billing runs', (stores) => {
  let app: App;
  let clock: ManualClock;

  beforeEach(async () => {
    // Tokens at 2.00 per started thousand.
    ({ app, clock } = await llmFixture(await stores.fresh(), {
      tokenPrice: '2',
      tokenConfig: '{ quantityRounding: { mode: ceil, divideBy: "1000" } }',
    }));
  });

  const tokenLines = async (id: string) =>
    ((await app.billing.get(id)).lines ?? [])
      .filter((line) => line.meterKey === 'tokens')
      .map((line) => ({
        kind: line.kind,
        description: line.description,
        quantity: line.quantity,
        amount: line.amount,
      }));

  it('prices the rounded quantity, keeps the metered one on the line, and re-rates late usage on the rounded new total', async () => {
    // 10 requests of 150 tokens: 1,500 tokens, two started thousands.
    await ingestAndMeter(
      app,
      Array.from({ length: 10 }, (_, i) => llmRequest(octoberTime(i), 150)),
    );
    await app.billing.run('2026-10', 'finance');
    const october = await app.billing.finalize(
      (await app.billing.list({ status: 'draft' }, 10))[0]?.id as string,
      'finance',
    );
    expect(await tokenLines(october.id)).toEqual([
      {
        kind: 'usage',
        description: 'tokens: 1500 token, priced as 2 (÷ 1000, rounded up to whole units)',
        quantity: '1500',
        amount: '4.00',
      },
    ]);
    // The quote of the plan's charge for the metered quantity is the line.
    expect(rateCharge(await app.catalog.charge('llm', 'tokens'), 'USD', { quantity: '1500' }).amount).toBe('4.00');

    // 400 late tokens stay within the second thousand: nothing more to bill. 200 more start a third.
    await ingestAndMeter(app, [llmRequest(octoberTime(20), 400)]);
    clock.set('2026-12-02T00:00:00Z');
    await app.billing.run('2026-11', 'finance');
    const novemberDraft = (await app.billing.list({ status: 'draft' }, 10))[0]?.id as string;
    expect(await tokenLines(novemberDraft)).toEqual([
      {
        kind: 'adjustment',
        description:
          'tokens: late usage for 2026-10-01 to 2026-11-01 (invoice US-000001), 1500 → 1900 token, priced as 2 (÷ 1000, rounded up to whole units)',
        quantity: '400',
        amount: '0.00',
      },
    ]);
    await ingestAndMeter(app, [llmRequest(octoberTime(21), 200)]);
    await app.billing.run('2026-11', 'finance');
    expect((await tokenLines(novemberDraft))[0]).toMatchObject({ quantity: '600', amount: '2.00' });
    expect(
      rateCharge(await app.catalog.charge('llm', 'tokens'), 'USD', { quantity: '2100', alreadyBilled: '1500' }).amount,
    ).toBe('2.00');
  });
});
