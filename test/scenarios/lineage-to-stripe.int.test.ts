import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_SECRET_KEY, startStripeEmulator, type StripeEmulator } from '../../src/emulators/stripe/index.js';
import { ManualClock } from '../../src/platform/clock.js';
import type { Json } from '../harness/read-json.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { applyStory, completion, get, send } from './one-month-story.js';
import { closeOctober, STRIPE_STORY_CUSTOMERS, stripeStoryCatalog } from './story-targets.js';

/**
 * Lineage through a billing platform: the story's October billed in Stripe (the emulator), first as one
 * invoice item per document line, then as the usage records themselves sent to Stripe's meters. An event
 * leads to the Stripe hand-off that carries its line (or its own record), and the hand-off back to the
 * invoice, its lines and events.
 */
function storyIn(send_: string) {
  return (stores: Parameters<typeof startTestApp>[0]) => {
    const clock = new ManualClock('2026-10-20T09:00:00Z');
    const context: { t?: TestApp; emulator?: StripeEmulator } = {};
    beforeAll(async () => {
      context.emulator = await startStripeEmulator({
        seed: 3,
        customers: STRIPE_STORY_CUSTOMERS,
        meters: [{ id: 'mtr_tokens', event_name: 'llm_tokens' }],
        now: () => clock.now().getTime(),
      });
      const t = await startTestApp(stores, { clock, secrets: async () => DEFAULT_SECRET_KEY });
      context.t = t;
      await applyStory(t, stripeStoryCatalog(context.emulator, send_));
      await send(t, [
        completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
        completion('a-2', 'acme', '2026-10-20T08:00:00Z', 500),
      ]);
      await t.app.metering.stage.runUntilCaughtUp();
      await closeOctober(t, clock);
      for (let pass = 0; pass < 20; pass += 1) {
        await t.app.dispatcher.runOnce();
        if ((await t.app.postings.list({ statuses: ['pending', 'retrying', 'in_flight'] }, 10)).length === 0) break;
        clock.advance(10 * 60_000);
      }
    });
    afterAll(async () => {
      await context.t?.close();
      await context.emulator?.close();
    });
    return context;
  };
}

describeEachStore('lineage through Stripe invoice items', (stores) => {
  const context = storyIn('send: invoice_items')(stores);
  const lineage = (query: string) => get(context.t as TestApp, `/v1/lineage?${query}`);

  it('leads from an event to the Stripe item of its line, and from the hand-off back to every line', async () => {
    const [billed] = (await lineage('event=story/llm-gateway/a-1')).usage[0].lines;
    expect(billed.line).toMatchObject({ kind: 'usage', quantity: '12500', amount: '22.50' });
    expect(billed.postings).toEqual([
      expect.objectContaining({
        target: 'stripe',
        kind: 'billing_items',
        status: 'delivered',
        currency: 'USD',
        total: billed.invoice.total,
        lines: [expect.objectContaining({ type: 'billing_item', quantity: '12500', amount: '22.50' })],
      }),
    ]);
    const back = await lineage(`document=stripe/${billed.postings[0].externalId}`);
    const [carried] = back.postings[0].invoices;
    expect(carried.invoice.id).toBe(billed.invoice.id);
    expect(carried.lines.map((item: Json) => [item.line.kind, item.line.amount, item.postingLines[0].amount])).toEqual([
      ['flat_fee', '49.00', '49.00'],
      ['usage', '22.50', '22.50'],
      ['tax', '5.18', '5.18'],
    ]);
    expect(carried.lines[1].events.items.map((event: Json) => event.id)).toEqual(['a-1', 'a-2']);
  });
});

describeEachStore("lineage through Stripe's meters", (stores) => {
  const context = storyIn('send: meter_events, meters: { tokens: llm_tokens }')(stores);
  const lineage = (query: string) => get(context.t as TestApp, `/v1/lineage?${query}`);

  it('leads from an event to its own meter event in the hand-off, and the line to the whole hand-off', async () => {
    const answer = await lineage('event=story/llm-gateway/a-2');
    const [billed] = answer.usage[0].lines;
    expect(billed.postings).toEqual([
      expect.objectContaining({
        kind: 'usage_events',
        status: 'delivered',
        lines: [
          expect.objectContaining({
            type: 'usage_event',
            key: `${answer.event.seq}.tokens`,
            meter: 'tokens',
            value: '500',
          }),
        ],
        otherUsageEvents: 1,
      }),
    ]);
    const line = await lineage(`invoice=${billed.invoice.id}&line=${billed.line.lineNo}`);
    expect(line.postings).toEqual([expect.objectContaining({ kind: 'usage_events', lines: [], otherUsageEvents: 2 })]);
    const back = await lineage(`document=stripe/${billed.postings[0].externalId}`);
    expect(back.postings[0].invoices).toEqual([
      {
        invoice: expect.objectContaining({ id: billed.invoice.id }),
        lines: [
          expect.objectContaining({
            line: expect.objectContaining({ kind: 'usage', quantity: '12500' }),
            postingLines: [],
            events: expect.objectContaining({ items: [expect.anything(), expect.anything()], next: null }),
          }),
        ],
      },
    ]);
  });
});
