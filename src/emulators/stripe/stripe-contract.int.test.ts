import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { loadStripeContract, type StripeContract } from '../../../test/harness/stripe-openapi.js';
import { stripeCall, type StripeAnswer, type StripeCall } from '../../../test/harness/stripe-emulator-client.js';
import { ROUTES, startStripeEmulator, type StripeEmulator } from './index.js';

// Every answer of the emulator, success or refusal, checked against Stripe's own OpenAPI description
// (API version 2024-04-10): the operations the vendored subset describes by their response schemas,
// customers and invoices (described there as objects only) by their component schemas, every refusal
// by the error schema. Objects are closed: a field the description does not name fails too.

const ACME = 'cus_EmulatorAcme01';
const T0 = Date.UTC(2024, 9, 15, 12, 0, 0);

const contract: StripeContract = loadStripeContract();
let emulator: StripeEmulator;
let clock = T0;
const covered = new Set<string>();

beforeAll(async () => {
  emulator = await startStripeEmulator({
    now: () => clock,
    meters: [{ id: 'mtr_EmulatorApiCalls01', event_name: 'api_calls' }],
  });
});
afterAll(() => emulator.close());

const call = (request: StripeCall) => stripeCall(emulator.url, request);

function expectValid(schema: ReturnType<StripeContract['component']>, answer: StripeAnswer, what: string) {
  const valid = schema(answer.body);
  expect(valid, `${what}: ${contract.explain(schema)}\n${JSON.stringify(answer.body).slice(0, 400)}`).toBe(true);
}

/** An answer of an operation the description has: its status's schema (or `default` for an error). */
function expectOperation(operation: string, answer: StripeAnswer, status = 200) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expectValid(contract.response(operation, status === 200 ? '200' : 'default'), answer, operation);
  covered.add(operation);
}

function expectError(answer: StripeAnswer, status: number, fields: Record<string, unknown>) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expectValid(contract.component('error'), answer, `error ${status}`);
  expect((answer.body as { error: unknown }).error).toMatchObject(fields);
}

describe("the Stripe emulator against Stripe's OpenAPI description", () => {
  it("validates Stripe's own example objects, and refuses a missing or an invented field", () => {
    // The fixtures (2024-04-26) still carry the hidden `plan` of invoice items, which 2024-04-10 does not describe.
    const example = (name: string) =>
      JSON.parse(JSON.stringify(contract.fixtures[name]), (key, value: unknown) =>
        key === 'plan' ? undefined : value,
      ) as Record<string, unknown>;
    for (const name of [
      'invoiceitem',
      'customer',
      'invoice',
      'billing.meter_event',
      'billing.meter',
      'billing.meter_event_summary',
    ]) {
      const validate = contract.component(name);
      expect(validate(example(name)), `${name}: ${contract.explain(validate)}`).toBe(true);
    }
    const validate = contract.component('invoiceitem');
    expect(validate({ ...example('invoiceitem'), amount: undefined })).toBe(false);
    expect(validate({ ...example('invoiceitem'), colour: 'red' })).toBe(false);
    expect(validate({ ...example('invoiceitem'), period: { start: 1, end: 2, middle: 1 } })).toBe(false);
  });

  it('answers the invoice item operations with their response schemas', async () => {
    const simple = await call({ path: '/v1/invoiceitems', form: { customer: ACME, amount: 1250, currency: 'usd' } });
    expectOperation('PostInvoiceitems', simple);
    const metered = await call({
      path: '/v1/invoiceitems',
      form: {
        customer: ACME,
        currency: 'usd',
        unit_amount_decimal: '0.125',
        quantity: 1003,
        description: 'API calls, October 2024',
        period: { start: Date.UTC(2024, 9, 1) / 1000, end: Date.UTC(2024, 10, 1) / 1000 },
        metadata: { meterbridge_posting: 'INV-2024-0001', meterbridge_line: '1' },
      },
    });
    expectOperation('PostInvoiceitems', metered);
    expect(metered.body).toMatchObject({
      amount: 125,
      quantity: 1003,
      unit_amount: null,
      unit_amount_decimal: '0.125',
    });
    const id = (metered.body as { id: string }).id;
    expectOperation('GetInvoiceitemsInvoiceitem', await call({ path: `/v1/invoiceitems/${id}` }));
    const listed = await call({ path: `/v1/invoiceitems?customer=${ACME}&limit=1&created[gte]=${T0 / 1000}` });
    expectOperation('GetInvoiceitems', listed);
    expect(listed.body).toMatchObject({ has_more: true, data: [{ id }] });
    const deleted = await call({ method: 'DELETE', path: `/v1/invoiceitems/${(simple.body as { id: string }).id}` });
    expectOperation('DeleteInvoiceitemsInvoiceitem', deleted);
  });

  it('answers meter events, meters and event summaries with their response schemas', async () => {
    const timestamp = clock / 1000 - 3600;
    for (const [identifier, value] of [
      ['evt-1', '40'],
      ['evt-2', '2.5'],
    ] as const) {
      const event = await call({
        path: '/v1/billing/meter_events',
        form: { event_name: 'api_calls', identifier, timestamp, payload: { stripe_customer_id: ACME, value } },
      });
      expectOperation('PostBillingMeterEvents', event);
    }
    expectOperation('GetBillingMeters', await call({ path: '/v1/billing/meters' }));
    expectOperation('GetBillingMetersId', await call({ path: '/v1/billing/meters/mtr_EmulatorApiCalls01' }));
    const start = Math.floor(timestamp / 86_400) * 86_400;
    const summaries = await call({
      path: `/v1/billing/meters/mtr_EmulatorApiCalls01/event_summaries?customer=${ACME}&start_time=${start}&end_time=${start + 86_400}`,
    });
    expectOperation('GetBillingMetersIdEventSummaries', summaries);
    expect(summaries.body).toMatchObject({ data: [{ aggregated_value: 42.5 }] });
  });

  it('answers customers and invoices with the component schemas the description has for them', async () => {
    const customer = await call({ path: `/v1/customers/${ACME}` });
    expectValid(contract.component('customer'), customer, 'customer');
    covered.add('GetCustomersCustomer');
    await call({ path: '/v1/invoiceitems', form: { customer: ACME, amount: 500, currency: 'usd' } });
    const draft = await call({
      path: '/v1/invoices',
      form: { customer: ACME, pending_invoice_items_behavior: 'include', metadata: { meterbridge_posting: 'B-1' } },
    });
    expect(draft.status, JSON.stringify(draft.body)).toBe(200);
    expectValid(contract.component('invoice'), draft, 'invoice');
    expect(draft.body).toMatchObject({ status: 'draft', total: 625, amount_due: 625, lines: { data: [{}, {}] } });
    covered.add('PostInvoices');
    const id = (draft.body as { id: string }).id;
    expectValid(contract.component('invoice'), await call({ path: `/v1/invoices/${id}` }), 'invoice');
    covered.add('GetInvoicesInvoice');
    expectValid(
      contract.list('invoice', '/v1/invoices'),
      await call({ path: `/v1/invoices?customer=${ACME}` }),
      'invoices',
    );
    covered.add('GetInvoices');
    const lines = await call({ path: `/v1/invoices/${id}/lines` });
    expectValid(contract.list('line_item', `/v1/invoices/${id}/lines`), lines, 'lines');
    covered.add('GetInvoicesInvoiceLines');
  });

  it('answers the v2 meter event session and stream in the shapes of the official client', async () => {
    // The vendored description has no v2; these are the shapes stripe-node 23 declares for them.
    const ajv = new Ajv({ strict: false });
    const session = await call({ path: '/v2/billing/meter_event_session', json: {}, version: null });
    const sessionShape = ajv.compile({
      type: 'object',
      additionalProperties: false,
      required: ['id', 'object', 'authentication_token', 'created', 'expires_at', 'livemode'],
      properties: {
        id: { type: 'string' },
        object: { const: 'v2.billing.meter_event_session' },
        authentication_token: { type: 'string' },
        created: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
        expires_at: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
        livemode: { type: 'boolean' },
      },
    });
    expect(sessionShape(session.body), JSON.stringify(sessionShape.errors)).toBe(true);
    covered.add('PostV2BillingMeterEventSession');
    const token = (session.body as { authentication_token: string }).authentication_token;
    const stream = await call({
      path: '/v2/billing/meter_event_stream',
      key: token,
      version: null,
      json: {
        events: [{ event_name: 'api_calls', identifier: 'v2-1', payload: { stripe_customer_id: ACME, value: '3' } }],
      },
    });
    expect(stream).toMatchObject({ status: 200, body: {} });
    covered.add('PostV2BillingMeterEventStream');
    clock += 15 * 60 * 1000;
    const expired = await call({
      path: '/v2/billing/meter_event_stream',
      key: token,
      version: null,
      json: { events: [{ event_name: 'api_calls', payload: { stripe_customer_id: ACME, value: '1' } }] },
    });
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({
      error: { type: 'temporary_session_expired', code: 'billing_meter_event_session_expired' },
    });
  });

  it("refuses in the description's error shape, with Stripe's statuses", async () => {
    const form = { customer: ACME, amount: 100, currency: 'usd' };
    expectError(await call({ path: '/v1/invoiceitems', form, key: null }), 401, { type: 'invalid_request_error' });
    expectError(await call({ path: '/v1/invoiceitems', form, key: 'sk_test_wrong1234' }), 401, {
      type: 'invalid_request_error',
      message: 'Invalid API Key provided: sk_test_*****1234',
    });
    expectError(await call({ path: '/v1/nothing' }), 404, { type: 'invalid_request_error' });
    expectError(await call({ path: '/v1/invoiceitems/ii_missing' }), 404, { code: 'resource_missing', param: 'id' });
    expectError(await call({ path: '/v1/invoiceitems', form: { amount: 1 } }), 400, {
      code: 'parameter_missing',
      param: 'customer',
    });
    expectError(await call({ path: '/v1/invoiceitems', form: { ...form, colour: 'red' } }), 400, {
      code: 'parameter_unknown',
      param: 'colour',
    });
    expectError(await call({ path: '/v1/invoiceitems', form: { ...form, customer: 'cus_nobody' } }), 400, {
      code: 'resource_missing',
      param: 'customer',
    });
    expectError(await call({ path: '/v1/invoiceitems', form: { ...form, quantity: 'many' } }), 400, {
      code: 'parameter_invalid_integer',
      param: 'quantity',
    });
    expectError(await call({ path: '/v1/invoiceitems', form, version: '2099-01-01' }), 400, {
      type: 'invalid_request_error',
    });
    expect((await call({ path: '/v1/invoiceitems', form, idempotencyKey: 'contract-1' })).status).toBe(200);
    expectError(
      await call({ path: '/v1/invoiceitems', form: { ...form, amount: 101 }, idempotencyKey: 'contract-1' }),
      400,
      {
        type: 'idempotency_error',
      },
    );
    const faulted = async (faults: Parameters<StripeEmulator['setFaults']>[0]) => {
      emulator.setFaults(faults);
      try {
        return await call({ path: '/v1/invoiceitems', form });
      } finally {
        emulator.reset();
      }
    };
    expectError(await faulted({ ratePerSecond: 0 }), 429, { type: 'invalid_request_error', code: 'rate_limit' });
    expectError(await faulted({ lockTimeoutRate: 1 }), 429, { type: 'invalid_request_error', code: 'lock_timeout' });
    expectError(await faulted({ storedErrorRate: 1 }), 500, { type: 'api_error' });
  });
});

describe('coverage', () => {
  it('checked every operation the emulator serves', () => {
    expect([...covered].sort()).toEqual(ROUTES.map((route) => route.operation).sort());
  });
});
