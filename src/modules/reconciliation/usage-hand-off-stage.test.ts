import { describe, expect, it } from 'vitest';
import { DeliveryFailure, type Connector, type UsageHandOff } from '../connectors/index.js';
import type { Posting, PostingStatus } from '../outbox/index.js';
import type { NewMismatch } from './reconciliation.js';
import { createTargetPace } from './target-pace.js';
import { reconcileUsageHandOffs } from './usage-hand-off-stage.js';

// Usage handed to a billing platform's meters, against what the meters say they counted per customer over
// the period: equal sums verify the hand-offs, other sums are a mismatch with both figures, hand-offs not
// all delivered and a platform that cannot say are unverified, and a throttle is waited out.

const scope = { start: new Date('2026-10-01T00:00:00Z'), end: new Date('2026-11-01T00:00:00Z') };

function handOff(
  id: string,
  customer: string,
  events: [string, string, string][],
  status: PostingStatus = 'delivered',
) {
  const body: UsageHandOff = {
    type: 'usage_events',
    externalId: `U-${id}`,
    customer,
    source: { invoiceId: `inv_${id}`, invoiceNumber: `INV-${id}` },
    part: 1,
    events: events.map(([meter, value, time], index) => ({ key: `${id}:${index}`, meter, value, time })),
  };
  return {
    id,
    targetKey: 'stripe',
    externalId: body.externalId,
    legalEntity: 'US',
    status,
    body,
  } as unknown as Posting;
}

function platform(counted: Record<string, string>, failures: DeliveryFailure[] = []) {
  const asked: string[] = [];
  const connector = {
    target: { key: 'stripe', kind: 'stripe' },
    async summarizeUsage(query: { customer: string; meter: string; from: Date; to: Date }) {
      asked.push(`${query.customer}/${query.meter} ${query.from.toISOString()}..${query.to.toISOString()}`);
      const failure = failures.shift();
      if (failure) throw failure;
      return counted[`${query.customer}/${query.meter}`] ?? '0';
    },
  } as unknown as Connector;
  return { connector, asked };
}

const run = async (connector: Connector | undefined, handOffs: Posting[]) => {
  const found: NewMismatch[] = [];
  const result = await reconcileUsageHandOffs(
    'stripe',
    connector,
    createTargetPace(1000, async () => {}),
    handOffs,
    scope,
    (one) => found.push(one),
  );
  return { ...result, found };
};

describe("usage handed to a billing platform's meters", () => {
  const acme = [
    handOff('1', 'cus_acme', [
      ['api_calls', '1200', '2026-10-03T10:00:00Z'],
      ['api_calls', '0.5', '2026-10-31T23:59:59Z'],
      ['storage_gb', '3', '2026-10-04T00:00:00Z'],
    ]),
    handOff('2', 'cus_acme', [
      ['api_calls', '300', '2026-10-20T00:00:00Z'],
      ['api_calls', '999', '2026-11-01T00:00:00Z'], // next period's: not in October's sum
    ]),
  ];

  it("is verified where each customer's and meter's sum over the period equals what the meter counted", async () => {
    const { connector, asked } = platform({ 'cus_acme/api_calls': '1500.50', 'cus_acme/storage_gb': '3' });
    const result = await run(connector, acme);
    expect(result.found).toEqual([]);
    expect(result.unverified).toEqual([]);
    expect(result.verifiedPostingIds.sort()).toEqual(['1', '2']);
    expect(asked).toEqual([
      'cus_acme/api_calls 2026-10-01T00:00:00.000Z..2026-11-01T00:00:00.000Z',
      'cus_acme/storage_gb 2026-10-01T00:00:00.000Z..2026-11-01T00:00:00.000Z',
    ]);
  });

  it('reports a meter that counted otherwise, with both sums and the postings', async () => {
    const { connector } = platform({ 'cus_acme/api_calls': '1200.5', 'cus_acme/storage_gb': '3' });
    const result = await run(connector, acme);
    expect(result.found).toEqual([
      expect.objectContaining({
        class: 'amount_mismatch',
        customer: 'cus_acme',
        meter: 'api_calls',
        expected: '1500.5',
        actual: '1200.5',
        detail: expect.stringContaining('in 2 postings (1, 2)'),
      }),
    ]);
    // Posting 1 also hands over storage, which matched; both carry the api calls that did not.
    expect(result.verifiedPostingIds).toEqual([]);
  });

  it('leaves unverified a pair whose hand-offs are not all delivered, and compares the others', async () => {
    const { connector, asked } = platform({ 'cus_acme/api_calls': '1500.5', 'cus_acme/storage_gb': '3' });
    const late = handOff('3', 'cus_acme', [['storage_gb', '1', '2026-10-30T00:00:00Z']], 'retrying');
    const result = await run(connector, [...acme, late]);
    expect(result.unverified).toEqual([
      expect.objectContaining({
        targetKey: 'stripe',
        postingsUnread: 2,
        reason: expect.stringMatching(/1 customer and meter pairs/),
      }),
    ]);
    expect(asked).toHaveLength(1);
    expect(result.found).toEqual([]);
  });

  it('waits out a throttle, and leaves the rest unverified when the platform fails', async () => {
    const throttled = new DeliveryFailure('throttled', 'rate limited', { retryAfterMs: 5 });
    const ok = platform({ 'cus_acme/api_calls': '1500.5', 'cus_acme/storage_gb': '3' }, [throttled]);
    expect((await run(ok.connector, acme)).found).toEqual([]);
    expect(ok.asked).toHaveLength(3);

    const down = platform({}, [new DeliveryFailure('unavailable', 'Stripe answered 503')]);
    const result = await run(down.connector, acme);
    expect(result.unverified).toEqual([
      expect.objectContaining({ postingsUnread: 2, reason: expect.stringContaining('Stripe answered 503') }),
    ]);
    expect(result.verifiedPostingIds).toEqual([]);
  });

  it('leaves every hand-off unverified where the target cannot say what its meters counted', async () => {
    const result = await run({ target: { key: 'stripe', kind: 'webhook' } } as unknown as Connector, acme);
    expect(result.unverified).toEqual([expect.objectContaining({ postingsUnread: 2 })]);
  });
});
