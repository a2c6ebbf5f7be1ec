import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stripeNodeClient } from '../../../test/harness/stripe-node.js';
import { loadStripeContract, type StripeContract } from '../../../test/harness/stripe-openapi.js';
import { EMULATED_API_VERSION, startStripeEmulator, type StripeEmulator } from './index.js';

// The official `stripe` client (23.1.0, API version pinned to 2024-04-10, no retries of its own) drives
// every operation of the emulator: the strongest proof that the emulator's shapes, errors and
// idempotency are Stripe's. What the client sent is then held to Stripe's request schemas.

const ACME = 'cus_EmulatorAcme01';
const GLOBEX = 'cus_EmulatorGlobex';

const contract: StripeContract = loadStripeContract();
let emulator: StripeEmulator;
let stripe: Stripe;

beforeAll(async () => {
  emulator = await startStripeEmulator({ meters: [{ id: 'mtr_EmulatorApiCalls01', event_name: 'api_calls' }] });
  stripe = stripeNodeClient(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const replayed = (object: { lastResponse: unknown }) =>
  (object.lastResponse as { headers: Record<string, string> }).headers['idempotent-replayed'];

async function failure(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected a Stripe error');
}

const itemParams = (overrides: Partial<Stripe.InvoiceItemCreateParams> = {}): Stripe.InvoiceItemCreateParams => ({
  customer: ACME,
  currency: 'usd',
  unit_amount_decimal: Stripe.Decimal.from('0.125'),
  quantity: 1003,
  description: 'API calls, October 2024',
  period: { start: 1727740800, end: 1730419200 },
  metadata: { meterbridge_posting: 'INV-2024-0001', meterbridge_line: '1' },
  ...overrides,
});

describe('the official stripe client against the emulator', () => {
  it('creates an invoice item with our key, replays it for the same key and refuses other parameters', async () => {
    const created = await stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-test-1' });
    expect(created).toMatchObject({
      object: 'invoiceitem',
      amount: 125,
      currency: 'usd',
      customer: ACME,
      quantity: 1003,
    });
    // Typed for the client's own default version; the pinned 2024-04-10 still answers unit_amount_decimal.
    expect(String((created as unknown as { unit_amount_decimal: unknown }).unit_amount_decimal)).toBe('0.125');
    expect(created.metadata).toEqual({ meterbridge_posting: 'INV-2024-0001', meterbridge_line: '1' });
    expect(replayed(created)).toBeUndefined();

    const again = await stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-test-1' });
    expect(again.id).toBe(created.id);
    expect(replayed(again)).toBe('true');

    const other = await failure(
      stripe.invoiceItems.create(itemParams({ quantity: 1004 }), { idempotencyKey: 'mb-test-1' }),
    );
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(other).toMatchObject({ statusCode: 400, rawType: 'idempotency_error' });
    expect(other.message).toContain('same parameters');
    expect(emulator.objects().invoiceitems).toHaveLength(1);
  });

  it('retrieves, lists with pagination and deletes invoice items, and retrieves customers', async () => {
    const ids: string[] = [];
    for (let line = 1; line <= 12; line += 1) {
      const item = await stripe.invoiceItems.create(
        itemParams({ metadata: { meterbridge_posting: 'P-1', meterbridge_line: String(line) } }),
        { idempotencyKey: `mb-list-${line}` },
      );
      ids.push(item.id);
    }
    expect((await stripe.invoiceItems.retrieve(ids[0]!)).id).toBe(ids[0]);
    const all: string[] = [];
    for await (const item of stripe.invoiceItems.list({ customer: ACME, limit: 5 })) all.push(item.id);
    expect(all).toEqual([...ids].reverse());
    const deleted = await stripe.invoiceItems.del(ids[0]!);
    expect(deleted).toMatchObject({ id: ids[0], deleted: true });
    const missing = await failure(stripe.invoiceItems.retrieve(ids[0]!));
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
    expect(await stripe.customers.retrieve(GLOBEX)).toMatchObject({ id: GLOBEX, currency: 'eur', object: 'customer' });
  });

  it('drafts an invoice from the pending items, and reads it and its lines back', async () => {
    await stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-inv-1' });
    await stripe.invoiceItems.create(
      itemParams({ unit_amount_decimal: undefined, amount: 4000, quantity: undefined }),
      {
        idempotencyKey: 'mb-inv-2',
      },
    );
    const invoice = await stripe.invoices.create(
      {
        customer: ACME,
        pending_invoice_items_behavior: 'include',
        collection_method: 'send_invoice',
        days_until_due: 30,
      },
      { idempotencyKey: 'mb-draft-1' },
    );
    expect(invoice).toMatchObject({ status: 'draft', total: 4125, amount_due: 4125, currency: 'usd', customer: ACME });
    expect((await stripe.invoices.retrieve(invoice.id!)).lines.data).toHaveLength(2);
    const lines = await stripe.invoices.listLineItems(invoice.id!);
    expect(lines.data.map((line) => line.amount)).toEqual([125, 4000]);
    expect((await stripe.invoices.list({ customer: ACME })).data.map((listed) => listed.id)).toEqual([invoice.id]);
    const pending = await stripe.invoiceItems.list({ customer: ACME, pending: true });
    expect(pending.data).toEqual([]);
    const nothing = await failure(
      stripe.invoices.create(
        { customer: ACME, pending_invoice_items_behavior: 'include' },
        { idempotencyKey: 'mb-draft-2' },
      ),
    );
    expect(nothing).toMatchObject({ statusCode: 400, code: 'invoice_no_customer_line_items' });
  });

  it('records meter events (v1), refuses a repeated identifier and sums them in event summaries', async () => {
    const timestamp = Math.floor(Date.now() / 1000) - 120;
    const event = await stripe.billing.meterEvents.create(
      {
        event_name: 'api_calls',
        identifier: 'mb-evt-1',
        timestamp,
        payload: { stripe_customer_id: ACME, value: '25' },
      },
      { idempotencyKey: 'mb-evt-1' },
    );
    expect(event).toMatchObject({ object: 'billing.meter_event', identifier: 'mb-evt-1', payload: { value: '25' } });
    const duplicate = await failure(
      stripe.billing.meterEvents.create(
        {
          event_name: 'api_calls',
          identifier: 'mb-evt-1',
          timestamp,
          payload: { stripe_customer_id: ACME, value: '25' },
        },
        { idempotencyKey: 'mb-evt-1-other-key' },
      ),
    );
    expect(duplicate).toMatchObject({ statusCode: 400, code: 'resource_already_exists', param: 'identifier' });
    const unknown = await failure(
      stripe.billing.meterEvents.create(
        { event_name: 'api_calls', payload: { stripe_customer_id: 'cus_nobody', value: '1' } },
        { idempotencyKey: 'mb-evt-2' },
      ),
    );
    expect(unknown).toMatchObject({ statusCode: 400, param: 'payload[stripe_customer_id]' });
    const meters = await stripe.billing.meters.list();
    expect(meters.data.map((meter) => meter.event_name)).toEqual(['api_calls']);
    const start = Math.floor(timestamp / 3600) * 3600;
    const summaries = await stripe.billing.meters.listEventSummaries('mtr_EmulatorApiCalls01', {
      customer: ACME,
      start_time: start,
      end_time: start + 3600,
    });
    expect(summaries.data.map((summary) => Number(summary.aggregated_value))).toEqual([25]);
  });

  it('streams meter events through a v2 session, and an expired session is TemporarySessionExpiredError', async () => {
    const session = await stripe.v2.billing.meterEventSession.create({}, { idempotencyKey: 'mb-session-1' });
    expect(session.object).toBe('v2.billing.meter_event_session');
    const streaming = stripeNodeClient(emulator, session.authentication_token);
    await streaming.v2.billing.meterEventStream.create(
      {
        events: [
          { event_name: 'api_calls', identifier: 'v2-a', payload: { stripe_customer_id: ACME, value: '5' } },
          { event_name: 'api_calls', identifier: 'v2-b', payload: { stripe_customer_id: 'cus_nobody', value: '5' } },
        ],
      },
      { idempotencyKey: 'mb-stream-1' },
    );
    const events = emulator.objects().meter_events as Array<{ identifier: string; error?: { code: string } }>;
    expect(events.map((event) => [event.identifier, event.error?.code])).toEqual([
      ['v2-a', undefined],
      ['v2-b', 'meter_event_customer_not_found'],
    ]);
    emulator.expireSessions();
    const expired = await failure(
      streaming.v2.billing.meterEventStream.create(
        { events: [{ event_name: 'api_calls', payload: { stripe_customer_id: ACME, value: '1' } }] },
        { idempotencyKey: 'mb-stream-2' },
      ),
    );
    expect(expired).toBeInstanceOf(Stripe.errors.TemporarySessionExpiredError);
    expect(expired).toMatchObject({ statusCode: 401, code: 'billing_meter_event_session_expired' });
  });

  it("surfaces the emulator's refusals as stripe-node's error classes", async () => {
    const bad = stripeNodeClient(emulator, 'sk_test_notakey0000');
    const unauthorized = await failure(bad.customers.retrieve(ACME));
    expect(unauthorized).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(unauthorized.statusCode).toBe(401);

    emulator.setFaults({ ratePerSecond: 0, retryAfterSeconds: 3 });
    const limited = await failure(stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-429' }));
    expect(limited).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(limited).toMatchObject({ code: 'rate_limit', statusCode: 429 });
    expect(limited.headers).toMatchObject({ 'retry-after': '3', 'stripe-rate-limited-reason': 'global-rate' });

    emulator.setFaults({ ratePerSecond: undefined, lockTimeoutRate: 1 });
    const locked = await failure(stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-lock' }));
    expect(locked).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(locked.code).toBe('lock_timeout');

    // A 500 from inside Stripe is saved for its key: the same key gets the same 500 back.
    emulator.setFaults({ lockTimeoutRate: 0, storedErrorRate: 1 });
    const broken = await failure(stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-500' }));
    expect(broken).toBeInstanceOf(Stripe.errors.StripeAPIError);
    emulator.setFaults({ storedErrorRate: 0 });
    const replayedError = await failure(stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-500' }));
    expect(replayedError).toMatchObject({ statusCode: 500, rawType: 'api_error' });
    expect(replayedError.headers).toMatchObject({ 'idempotent-replayed': 'true' });
    expect(emulator.objects().invoiceitems).toEqual([]);

    // A key still in flight: 409, which stripe-node leaves to us with maxNetworkRetries 0.
    emulator.setFaults({ latencyMs: 1500 });
    const first = stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-409' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const inUse = await failure(stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-409' }));
    expect(inUse).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' });
    expect((await first).object).toBe('invoiceitem');
  });

  it('a connection dropped after the commit is retried once by the client with our key, and replayed', async () => {
    emulator.setFaults({ dropAfterCommitRate: 1 });
    const item = await stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-drop-1' });
    expect(replayed(item)).toBe('true');
    expect(emulator.objects().invoiceitems).toHaveLength(1);
    expect(emulator.stats().outcomes).toMatchObject({ droppedAfterCommit: 1, replayed: 1 });
  });

  it('a refused connection is StripeConnectionError', async () => {
    emulator.setFaults({ outage: { mode: 'refuse', untilMs: Date.now() + 60_000 } });
    const refused = await failure(stripe.customers.retrieve(ACME));
    expect(refused).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    emulator.setFaults({ outage: undefined });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await stripe.customers.retrieve(ACME)).id).toBe(ACME);
  });

  it("sends what Stripe's request schemas allow, with our keys and the pinned version", async () => {
    const spec = contract;
    await stripe.invoiceItems.create(itemParams(), { idempotencyKey: 'mb-req-1' });
    await stripe.invoiceItems.create(
      itemParams({ unit_amount_decimal: undefined, amount: -500, quantity: undefined }),
      {
        idempotencyKey: 'mb-req-2',
      },
    );
    await stripe.invoiceItems.list({ customer: ACME, created: { gte: 1_700_000_000 }, limit: 100 });
    await stripe.billing.meterEvents.create(
      { event_name: 'api_calls', identifier: 'req-evt', payload: { stripe_customer_id: ACME, value: '1' } },
      { idempotencyKey: 'mb-req-evt' },
    );
    const operations: Record<string, string> = {
      '/v1/invoiceitems': 'PostInvoiceitems',
      '/v1/billing/meter_events': 'PostBillingMeterEvents',
    };
    const requests = emulator.requests();
    expect(requests).toHaveLength(4);
    for (const request of requests) {
      expect(request.stripeVersion).toBe(EMULATED_API_VERSION);
      if (request.method === 'POST') {
        expect(request.idempotencyKey).toMatch(/^mb-req-/);
        expect(request.contentType).toBe('application/x-www-form-urlencoded');
        const validate = spec.requestBody(operations[request.path]!);
        expect(validate(structuredClone(request.params)), spec.explain(validate)).toBe(true);
      } else {
        for (const [name, value] of Object.entries(request.params as Record<string, unknown>)) {
          const validate = spec.queryParameter('GetInvoiceitems', name);
          expect(validate, `query parameter ${name}`).toBeDefined();
          expect(validate!(structuredClone(value)), `${name}: ${spec.explain(validate!)}`).toBe(true);
        }
      }
    }
  });
});
