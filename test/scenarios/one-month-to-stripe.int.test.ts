import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DEFAULT_SECRET_KEY,
  EMULATED_API_VERSION,
  startStripeEmulator,
  type StripeEmulator,
} from '../../src/emulators/stripe/index.js';
import { ManualClock } from '../../src/platform/clock.js';
import { Exact } from '../../src/platform/money.js';
import type { Json } from '../harness/read-json.js';
import { describeEachStore } from '../harness/stores.js';
import { stripeNodeClient } from '../harness/stripe-node.js';
import { loadStripeContract } from '../harness/stripe-openapi.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { applyStory, completion, documentsOf, get, post, postCatalog, send } from './one-month-story.js';
import { closeOctober, drainPostings, STRIPE_STORY_CUSTOMERS, stripeStoryCatalog } from './story-targets.js';

/**
 * October at the LLM gateway, billed in Stripe (here the emulator, losing a third of its answers after
 * committing and refusing some writes with lock timeouts). Acme's subscription has Stripe issue its invoice
 * (`invoices: target`); Initech's plan hands its charges to Stripe besides Meterbridge's own invoice. Each
 * finalized document becomes one invoice item per line, whose amounts add up to the document's total to
 * the cent, once each whatever was lost on the way. Then the same month with Stripe pricing the usage
 * itself: every usage record sent once as a meter event.
 */

function startStoryApp(stores: Parameters<typeof startTestApp>[0], clock: ManualClock) {
  return startTestApp(stores, { clock, secrets: async () => DEFAULT_SECRET_KEY });
}

/** The story's October billed and finalized: Acme 12,500 tokens, Initech 8,000. */
async function billOctober(t: TestApp, clock: ManualClock, beforeFinalizing?: () => Promise<void>): Promise<void> {
  await send(t, [
    completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
    completion('a-2', 'acme', '2026-10-20T08:00:00Z', 500),
    completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
  ]);
  await t.app.metering.stage.runUntilCaughtUp();
  clock.set('2026-11-01T01:00:00Z');
  await post(t, '/v1/billing-runs', { period: '2026-10' });
  await beforeFinalizing?.();
  await closeOctober(t, clock);
  await drainPostings(t, clock, 40);
}

const cents = (amount: string) => new Exact(amount).times(100).toNumber();

describeEachStore('one month billed in Stripe as invoice items', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let emulator: StripeEmulator;
  let t: TestApp;

  beforeAll(async () => {
    emulator = await startStripeEmulator({
      seed: 5,
      customers: STRIPE_STORY_CUSTOMERS,
      now: () => clock.now().getTime(),
      faults: { dropAfterCommitRate: 0.34, lockTimeoutRate: 0.1 },
    });
    t = await startStoryApp(stores, clock);
    await applyStory(t, stripeStoryCatalog(emulator, 'send: invoice_items', true));
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it("hands each finalized document's lines to Stripe once, to the cent, and has Stripe issue Acme's invoice", async () => {
    let previewed: Json[] = [];
    await billOctober(t, clock, async () => {
      // Finance previews the drafts: what Stripe would be handed, before anything is final or sent.
      previewed = (await get(t, '/v1/postings/preview?period=2026-10')).postings;
    });
    // The same items, amounts and ids; only the number a draft does not have yet differs.
    const unnumbered = (body: Json) => ({
      ...body,
      memo: undefined,
      source: undefined,
      items: body.items.map((item: Json) => ({ ...item, reference: { ...item.reference, invoiceNumber: undefined } })),
    });
    const handedOver = await t.app.postings.list({ targetKey: 'stripe' }, 10);
    expect(previewed.map((posting) => unnumbered(posting.body))).toEqual(
      expect.arrayContaining(handedOver.map((posting) => unnumbered(posting.body))),
    );
    expect(previewed).toHaveLength(2);
    const objects = emulator.objects() as { invoiceitems: Json[]; invoices: Json[] };
    const [acme] = await documentsOf(t, 'acme');
    const [initech] = await documentsOf(t, 'initech');
    for (const [document, customer] of [
      [acme, 'cus_StoryAcme'],
      [initech, 'cus_StoryInitech'],
    ] as const) {
      const items = objects.invoiceitems.filter((item) => item.customer === customer);
      // One item per line, each line once (its key and metadata name the line), amounts to the cent.
      expect(items.map((item) => Number(item.metadata.meterbridge_invoice_line)).sort()).toEqual(
        document.lines.map((line: Json) => line.lineNo).sort(),
      );
      expect(items.reduce((sum, item) => sum + item.amount, 0)).toBe(cents(document.total));
      for (const line of document.lines) {
        const item = items.find((candidate) => candidate.metadata.meterbridge_invoice_line === String(line.lineNo));
        expect(item, `line ${line.lineNo}`).toMatchObject({
          amount: cents(line.amount),
          currency: 'usd',
          metadata: { meterbridge_invoice: document.number, meterbridge_invoice_id: document.id },
        });
      }
    }
    // Acme's subscription has Stripe issue the invoice: one draft Stripe finalizes itself, holding its items.
    const issued = objects.invoices.filter((invoice) => invoice.customer === 'cus_StoryAcme');
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ total: cents(acme.total), auto_advance: true });
    expect(objects.invoices.filter((invoice) => invoice.customer === 'cus_StoryInitech')).toEqual([]);
    // Answers were lost after Stripe committed them: the retries replayed the same keys instead.
    expect(emulator.stats().outcomes.droppedAfterCommit).toBeGreaterThan(0);
    const postings = await t.app.postings.list({ targetKey: 'stripe' }, 10);
    expect(postings.map((posting) => posting.status)).toEqual(['delivered', 'delivered']);
    expect(postings.find((posting) => posting.subject === `billing:${acme.id}`)?.targetDocumentId).toBe(issued[0]!.id);
  });

  it('reconciles clean: every document held by Stripe with its items to the cent, and a line moved by hand is caught', async () => {
    const clean = await reconcileOctober(t, clock);
    expect(clean.summary).toMatchObject({ clean: true, mismatches: 0, unverified: [], postingsRead: 2 });
    const [totals] = clean.totals;
    expect(totals.verified).toEqual({ stripe: totals.invoiced });

    // Someone in Stripe moves 1.00 from one of Initech's items to another: the total is kept.
    const items = (emulator.objects() as { invoiceitems: Json[] }).invoiceitems.filter(
      (item) => item.customer === 'cus_StoryInitech',
    );
    expect(items.length).toBeGreaterThan(1);
    emulator.setInvoiceItemAmount(items[0]!.id, items[0]!.amount + 100);
    emulator.setInvoiceItemAmount(items[1]!.id, items[1]!.amount - 100);
    const caught = await reconcileOctober(t, clock);
    expect(caught.mismatches).toEqual([expect.objectContaining({ class: 'account_mismatch', targetKey: 'stripe' })]);
    emulator.setInvoiceItemAmount(items[0]!.id, items[0]!.amount);
    emulator.setInvoiceItemAmount(items[1]!.id, items[1]!.amount);
  });

  it("sent only what Stripe's request schemas allow, each write under a key derived from its posting", () => {
    const contract = loadStripeContract();
    const requests = emulator.requests();
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      expect(request.stripeVersion).toBe(EMULATED_API_VERSION);
      const what = `${request.method} ${request.path}`;
      if (what === 'POST /v1/invoiceitems') {
        expect(request.idempotencyKey).toMatch(/^mb1:invoice_item:B-[A-Z2-7]{14}:\d+$/);
        const validate = contract.requestBody('PostInvoiceitems');
        expect(validate(structuredClone(request.params)), contract.explain(validate)).toBe(true);
      } else if (what === 'GET /v1/invoiceitems') {
        for (const [name, value] of Object.entries(request.params as Record<string, unknown>)) {
          const validate = contract.queryParameter('GetInvoiceitems', name);
          expect(validate!(structuredClone(value)), `${name}: ${contract.explain(validate!)}`).toBe(true);
        }
      } else {
        // The vendored description holds invoices as objects only, not their operations.
        expect(['POST /v1/invoices', 'GET /v1/invoices']).toContain(what);
        if (request.method === 'POST') expect(request.idempotencyKey).toMatch(/^mb1:invoice:B-[A-Z2-7]{14}:0$/);
      }
    }
  });

  it('refuses a catalog billing in a ledger target, or a customer without its Stripe id, with the paths', async () => {
    const yaml = stripeStoryCatalog(emulator, 'send: invoice_items', true)
      .replace('billedIn: { target: stripe, invoices: target }', 'billedIn: { target: nowhere, invoices: target }')
      .replace(', externalIds: { billing: cus_StoryInitech }', '');
    const response = await postCatalog(t, yaml);
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Json;
    const paths = problem.errors.map((error: Json) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/subscriptions/0/billedIn/target', '/customers/1/externalIds/billing']),
    );
  });
});

describeEachStore('one month billed in Stripe as meter events', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let emulator: StripeEmulator;
  let t: TestApp;

  beforeAll(async () => {
    emulator = await startStripeEmulator({
      seed: 6,
      customers: STRIPE_STORY_CUSTOMERS,
      meters: [{ id: 'mtr_tokens', event_name: 'llm_tokens' }],
      now: () => clock.now().getTime(),
      faults: { dropAfterCommitRate: 0.34 },
    });
    t = await startStoryApp(stores, clock);
    await applyStory(t, stripeStoryCatalog(emulator, 'send: meter_events, meters: { tokens: llm_tokens }', true));
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it('sends every usage record behind the finalized usage lines once, named by its key', async () => {
    await billOctober(t, clock);
    const events = (emulator.objects() as { meter_events: Json[] }).meter_events.filter((event) => !event.error);
    const byCustomer = (customer: string) =>
      events
        .filter((event) => event.payload.stripe_customer_id === customer)
        .map((event) => Number(event.payload.value))
        .sort((a, b) => a - b);
    expect(byCustomer('cus_StoryAcme')).toEqual([500, 12000]);
    expect(byCustomer('cus_StoryInitech')).toEqual([8000]);
    expect(new Set(events.map((event) => event.identifier)).size).toBe(events.length);
    expect(events.every((event) => event.event_name === 'llm_tokens')).toBe(true);
    const postings = await t.app.postings.list({ targetKey: 'stripe' }, 10);
    expect(postings.map((posting) => [posting.kind, posting.status])).toEqual([
      ['usage_events', 'delivered'],
      ['usage_events', 'delivered'],
    ]);
  });

  it("reconciles the usage handed over against what Stripe's meter counted, and catches usage sent by something else", async () => {
    const clean = await reconcileOctober(t, clock);
    expect(clean.summary).toMatchObject({ clean: true, mismatches: 0, unverified: [], postingsRead: 2 });

    // Another integration reports 250 tokens of Acme's October to the same meter.
    await stripeNodeClient(emulator).billing.meterEvents.create(
      {
        event_name: 'llm_tokens',
        identifier: 'other-integration-1',
        timestamp: Math.floor(Date.parse('2026-10-30T12:00:00Z') / 1000),
        payload: { stripe_customer_id: 'cus_StoryAcme', value: '250' },
      },
      { idempotencyKey: 'other-integration-1' },
    );
    const caught = await reconcileOctober(t, clock);
    expect(caught.summary).toMatchObject({ clean: false, mismatches: 1, unverified: [] });
    expect(caught.mismatches).toEqual([
      expect.objectContaining({
        class: 'amount_mismatch',
        customer: 'cus_StoryAcme',
        meter: 'tokens',
        targetKey: 'stripe',
        expected: '12500',
        actual: '12750',
      }),
    ]);
  });

  it('refuses meter-event billing of a meter with no Stripe meter, at the setting', async () => {
    const response = await postCatalog(t, stripeStoryCatalog(emulator, 'send: meter_events, meters: {}', true));
    expect(response.status).toBe(400);
    const problem = (await response.json()) as Json;
    expect(problem.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/targets/0/settings/meters/tokens' })]),
    );
  });
});

/** October reconciled a few days after its close. */
async function reconcileOctober(t: TestApp, clock: ManualClock): Promise<Json> {
  clock.set('2026-11-06T00:00:00Z');
  const response = await t.request('/v1/reconciliations', { method: 'POST', json: { period: '2026-10' } });
  return (await response.json()) as Json;
}
