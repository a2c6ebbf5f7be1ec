import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stripeCall, stripeErrorOf, type StripeCall } from '../../../test/harness/stripe-emulator-client.js';
import { stripeNodeClient } from '../../../test/harness/stripe-node.js';
import { loadStripeContract } from '../../../test/harness/stripe-openapi.js';
import { startStripeEmulator, type StripeEmulator } from './index.js';

// The queries reconciliation reads Stripe back with, driven by the official client: invoice items by
// creation time over several pages, meters, and a meter's event summaries paged by hour; every hostile
// query answered by Stripe's error document; and the emulator's by-hand edits of invoice items.

const ACME = 'cus_EmulatorAcme01';
const HOUR_S = 3600;
const contract = loadStripeContract();
let emulator: StripeEmulator;
let stripe: Stripe;
let clockMs = Date.UTC(2026, 10, 20, 12, 0, 0);

beforeAll(async () => {
  emulator = await startStripeEmulator({
    seed: 5,
    now: () => clockMs,
    meters: Array.from({ length: 130 }, (_, index) => ({
      id: `mtr_Emulator${String(index).padStart(4, '0')}`,
      event_name: `meter_${index}`,
    })),
  });
  stripe = stripeNodeClient(emulator);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const call = (request: StripeCall) => stripeCall(emulator.url, request);
const nowSeconds = () => Math.floor(clockMs / 1000);

async function createItems(count: number, key: string): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1)
    ids.push(
      (
        await stripe.invoiceItems.create(
          { customer: ACME, currency: 'usd', amount: 100 + index, metadata: { n: String(index) } },
          { idempotencyKey: `${key}-${index}` },
        )
      ).id,
    );
  return ids;
}

async function refusal(path: string): Promise<Record<string, unknown>> {
  const answer = await call({ path });
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(contract.component('error')(answer.body), JSON.stringify(answer.body)).toBe(true);
  return stripeErrorOf(answer);
}

describe('listing invoice items by creation time', () => {
  it('pages through every item of a range with starting_after, newest first, leaving out the rest', async () => {
    const before = await createItems(3, 'before');
    clockMs += 2 * 86_400_000;
    const inRange = await createItems(25, 'in');
    const from = nowSeconds();
    clockMs += 2 * 86_400_000;
    await createItems(2, 'after');
    const created = { gte: from - 60, lte: from + 86_399 };
    const listed: string[] = [];
    for await (const item of stripe.invoiceItems.list({ created, limit: 10 })) listed.push(item.id);
    expect(listed).toEqual([...inRange].reverse());
    expect(listed).not.toContain(before[0]);
    const pages = emulator.requests().filter((request) => request.method === 'GET');
    expect(pages).toHaveLength(3);
    const first = await call({ path: `/v1/invoiceitems?limit=10&created[gte]=${created.gte}` });
    expect(contract.response('GetInvoiceitems')(first.body)).toBe(true);
    expect(first.body).toMatchObject({ has_more: true, url: '/v1/invoiceitems' });
    // Compiling the description's invoice item schema takes seconds on a busy machine.
  }, 30_000);

  it("refuses a hostile created filter or cursor with Stripe's 400, naming the parameter", async () => {
    expect(await refusal('/v1/invoiceitems?created[gte]=abc')).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameter_invalid_integer',
      param: 'created[gte]',
    });
    expect(await refusal('/v1/invoiceitems?created[gte]=99999999999999999999')).toMatchObject({
      param: 'created[gte]',
    });
    expect(await refusal('/v1/invoiceitems?created[gte]=1%00')).toMatchObject({ param: 'created[gte]' });
    expect(await refusal('/v1/invoiceitems?created[since]=1')).toMatchObject({ code: 'parameter_unknown' });
    expect(await refusal('/v1/invoiceitems?created[gte][x]=1')).toMatchObject({ param: 'created[gte]' });
    // A lone surrogate's bytes, and a byte that starts no UTF-8 character: refused, never read as U+FFFD.
    expect(String((await refusal('/v1/invoiceitems?customer=%ED%A0%80')).message)).toContain('customer');
    expect(await refusal('/v1/invoiceitems?starting_after=%FF')).toMatchObject({ code: 'parameter_invalid_string' });
    expect(await refusal('/v1/invoiceitems?starting_after=ii_NoSuchItem')).toMatchObject({
      code: 'resource_missing',
      param: 'starting_after',
    });
    expect(await refusal('/v1/invoiceitems?limit=1000')).toMatchObject({ param: 'limit' });
    expect(await refusal(`/v1/invoiceitems?customer=${'c'.repeat(5001)}`)).toMatchObject({ param: 'customer' });
    expect(await refusal('/v1/invoices?created[lte]=-')).toMatchObject({ param: 'created[lte]' });
  });
});

describe('meters and their event summaries', () => {
  it('lists meters over two pages', async () => {
    const names: string[] = [];
    for await (const meter of stripe.billing.meters.list({ limit: 100 })) names.push(meter.event_name);
    expect(names).toHaveLength(130);
    expect(new Set(names).size).toBe(130);
  });

  it('pages hourly summaries with has_more and starting_after, and sums a range whole without a window', async () => {
    const meter = 'mtr_Emulator0000';
    const start = Math.floor(nowSeconds() / 86_400) * 86_400 - 5 * 86_400;
    for (const [index, value] of ['1.5', '2.25', '0.1'].entries())
      await stripe.billing.meterEvents.create(
        {
          event_name: 'meter_0',
          identifier: `event-${index}`,
          timestamp: start + index * 50 * HOUR_S + 30,
          payload: { stripe_customer_id: ACME, value },
        },
        { idempotencyKey: `event-${index}` },
      );
    const hourly: Stripe.Billing.MeterEventSummary[] = [];
    const end = start + 120 * HOUR_S;
    const params = { customer: ACME, start_time: start, end_time: end, value_grouping_window: 'hour', limit: 50 };
    for await (const summary of stripe.billing.meters.listEventSummaries(meter, params)) hourly.push(summary);
    expect(hourly).toHaveLength(120);
    expect(
      hourly.filter((summary) => summary.aggregated_value !== 0).map((summary) => summary.aggregated_value),
    ).toEqual([0.1, 2.25, 1.5]);
    const whole = await stripe.billing.meters.listEventSummaries(meter, {
      customer: ACME,
      start_time: start,
      end_time: end,
    });
    expect(whole.data.map((summary) => summary.aggregated_value)).toEqual([3.85]);
    expect(whole.has_more).toBe(false);
  });

  it("refuses unaligned, reversed, hostile or unknown summary parameters with Stripe's 400", async () => {
    const path = (query: string) => `/v1/billing/meters/mtr_Emulator0000/event_summaries?customer=${ACME}&${query}`;
    expect(await refusal(path('start_time=61&end_time=120'))).toMatchObject({ param: 'start_time' });
    expect(await refusal(path('start_time=60&end_time=90'))).toMatchObject({ param: 'end_time' });
    expect(await refusal(path('start_time=120&end_time=60'))).toMatchObject({ param: 'end_time' });
    expect(await refusal(path('start_time=abc&end_time=60'))).toMatchObject({ code: 'parameter_invalid_integer' });
    expect(await refusal(path('start_time=0&end_time=60&value_grouping_window=week'))).toMatchObject({
      param: 'value_grouping_window',
    });
    expect(await refusal(path('start_time=0%00&end_time=60'))).toMatchObject({ param: 'start_time' });
    expect(await refusal(path('start_time=0&end_time=60&customer[x]=%ED%B0%80'))).toMatchObject({
      type: 'invalid_request_error',
    });
    expect(await refusal(path('start_time=0&end_time=60&group_by=customer'))).toMatchObject({
      code: 'parameter_unknown',
    });
    expect(await refusal('/v1/billing/meters/mtr_Emulator0000/event_summaries?start_time=0&end_time=60')).toMatchObject(
      { code: 'parameter_missing', param: 'customer' },
    );
  });
});

describe('invoice items edited by hand', () => {
  const admin = (path: string, body?: string) =>
    fetch(`${emulator.url}/__emulator/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body }),
    });

  it('copies an item (new id, same metadata, pending) and edits its amount as one unit', async () => {
    const [id] = await createItems(1, 'edit');
    const copy = (await (await admin(`invoiceitems/${id}/copy`)).json()) as Stripe.InvoiceItem;
    expect(copy.id).not.toBe(id);
    expect(copy).toMatchObject({ amount: 100, metadata: { n: '0' }, invoice: null });
    const edited = await admin(`invoiceitems/${copy.id}/amount`, JSON.stringify({ amount: -250 }));
    expect(await edited.json()).toMatchObject({ amount: -250, quantity: 1, unit_amount: -250 });
    const retrieved = await call({ path: `/v1/invoiceitems/${copy.id}` });
    expect(contract.response('GetInvoiceitemsInvoiceitem')(retrieved.body), JSON.stringify(retrieved.body)).toBe(true);
    expect((await stripe.invoiceItems.retrieve(copy.id)).amount).toBe(-250);
  });

  it('refuses bad edits with 400 and unknown items with 404', async () => {
    const [id] = await createItems(1, 'bad');
    for (const body of [
      '{"amount": 1.5}',
      '{"amount": "1"}',
      '{"amount": 1e300}',
      '{"amount": 1, "x": 1}',
      'nope',
      '[]',
    ])
      expect((await admin(`invoiceitems/${id}/amount`, body)).status, body).toBe(400);
    expect((await admin('invoiceitems/ii_NoSuchItem/copy')).status).toBe(404);
    expect((await admin(`invoiceitems/${id}%00/copy`)).status).toBe(404);
    expect((await admin(`invoiceitems/${id}/amount`, '{"amount": 5}')).status).toBe(200);
  });
});
