import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_KEY, startStripeEmulator, type StripeEmulator } from '../../../emulators/stripe/index.js';
import { stripeNodeClient } from '../../../../test/harness/stripe-node.js';
import { DeliveryFailure, type Connector } from '../connector.js';
import { createStripeConnector } from './stripe-connector.js';

// What a Stripe meter counted, read through the connector: the meter found by its event name among every
// meter (paged, then kept), the customer's event summary over [from, to) summed exactly, and every
// refusal (a meter key without a Stripe meter, bounds off the minute) made before anything is asked.

const ACME = 'cus_EmulatorAcme01';
const GLOBEX = 'cus_EmulatorGlobex';
const MINUTE = 60_000;

let emulator: StripeEmulator;
let stripe: Stripe;
let connector: Connector;

beforeAll(async () => {
  emulator = await startStripeEmulator({
    seed: 9,
    // More meters than a page holds, the one asked for on the second page (Stripe lists newest first).
    meters: [
      { id: 'mtr_EmulatorTokens', event_name: 'llm_tokens' },
      ...Array.from({ length: 120 }, (_, index) => ({ id: `mtr_EmulatorOther${index}`, event_name: `other_${index}` })),
    ],
  });
  stripe = stripeNodeClient(emulator);
  connector = meterConnector();
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

/** A connector of its own: it keeps the meter ids it found for its life. */
const meterConnector = () =>
  createStripeConnector(
    {
      key: 'stripe',
      kind: 'stripe',
      settings: {
        apiBaseUrl: emulator.url,
        send: 'meter_events',
        meters: { tokens: 'llm_tokens', images: 'no_such_event', calls: 'other_3' },
      },
      credentials: 'STRIPE',
      limits: { requestsPerSecond: 100, concurrency: 4 },
    },
    async () => DEFAULT_SECRET_KEY,
  );

const signal = () => AbortSignal.timeout(10_000);
const minute = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

async function failure(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryFailure) return error;
    throw error;
  }
  throw new Error('expected a DeliveryFailure');
}

let sent = 0;
async function meterEvent(eventName: string, customer: string, value: string, at: number): Promise<void> {
  sent += 1;
  await stripe.billing.meterEvents.create(
    {
      event_name: eventName,
      identifier: `usage-${sent}`,
      timestamp: Math.floor(at / 1000),
      payload: { stripe_customer_id: customer, value },
    },
    { idempotencyKey: `usage-${sent}` },
  );
}

const meterListings = () => emulator.requests().filter((request) => request.path === '/v1/billing/meters');

describe("the Stripe connector's meter summaries", () => {
  it("sums what the meter counted for the customer over [from, to), exactly, and keeps the meter's id", async () => {
    const to = minute(Date.now());
    const from = to - 3 * 60 * MINUTE;
    await meterEvent('llm_tokens', ACME, '0.1', from);
    await meterEvent('llm_tokens', ACME, '0.2', from + 30 * MINUTE);
    await meterEvent('llm_tokens', ACME, '1000000.000000000001', to - 1000);
    await meterEvent('llm_tokens', ACME, '5', to); // the end is exclusive
    await meterEvent('llm_tokens', ACME, '7', from - 1000);
    await meterEvent('llm_tokens', GLOBEX, '11', from + MINUTE);
    await meterEvent('other_3', ACME, '13', from + MINUTE);
    const query = { customer: ACME, meter: 'tokens', from: new Date(from), to: new Date(to) };
    expect(await connector.summarizeUsage!(query, signal())).toBe('1000000.3');
    expect(
      meterListings().map((request) => (request.params as Record<string, unknown>).starting_after !== undefined),
    ).toEqual([false, true]);
    expect(await connector.summarizeUsage!({ ...query, meter: 'calls' }, signal())).toBe('13');
    expect(await connector.summarizeUsage!({ ...query, customer: GLOBEX }, signal())).toBe('11');
    // The meters were listed once (two pages), the other event name found on the way; a summary is one request.
    expect(meterListings()).toHaveLength(2);
    const summaries = emulator.requests().filter((request) => request.path.endsWith('/event_summaries'));
    expect(summaries.at(-1)!.params).toEqual({
      customer: GLOBEX,
      start_time: String(from / 1000),
      end_time: String(to / 1000),
      limit: '100',
    });
  });

  it('answers 0 for a customer the meter counted nothing for', async () => {
    const to = minute(Date.now());
    expect(
      await connector.summarizeUsage!(
        { customer: ACME, meter: 'tokens', from: new Date(to - 60 * MINUTE), to: new Date(to) },
        signal(),
      ),
    ).toBe('0');
  });

  it('refuses what it cannot ask before asking anything, and a meter Stripe does not have after listing', async () => {
    const to = minute(Date.now());
    const query = { customer: ACME, meter: 'tokens', from: new Date(to - 60 * MINUTE), to: new Date(to) };
    for (const bad of [
      { ...query, meter: 'unmapped' },
      { ...query, from: new Date(to - 60 * MINUTE + 1500) },
      { ...query, to: new Date(to + 30_000) },
      { ...query, to: query.from },
      { ...query, from: new Date(NaN) },
      { ...query, customer: "cus_x' OR 1=1" },
      { ...query, customer: 'cus_\u0000' },
    ])
      expect(await failure(connector.summarizeUsage!(bad, signal()))).toMatchObject({ failureClass: 'invalid' });
    expect(emulator.requests()).toEqual([]);
    expect(await failure(connector.summarizeUsage!({ ...query, meter: 'images' }, signal()))).toMatchObject({
      failureClass: 'invalid',
      message: expect.stringContaining('no_such_event'),
    });
  });

  it('a throttled summary is a throttled DeliveryFailure with the Retry-After', async () => {
    const to = minute(Date.now());
    const query = { customer: ACME, meter: 'tokens', from: new Date(to - 60 * MINUTE), to: new Date(to) };
    emulator.setFaults({ ratePerSecond: 1, retryAfterSeconds: 2 });
    const throttled = await failure(
      (async () => {
        for (let attempt = 0; attempt < 5; attempt += 1) await connector.summarizeUsage!(query, signal());
      })(),
    );
    expect(throttled).toMatchObject({ failureClass: 'throttled', detail: { status: 429, retryAfterMs: 2000 } });
  });

  it("awaits reconciliation's pace before each request: every page of the meters, then the summaries", async () => {
    const fresh = meterConnector();
    const to = minute(Date.now());
    const from = to - 60 * MINUTE;
    await meterEvent('llm_tokens', ACME, '4', from + MINUTE);
    const query = { customer: ACME, meter: 'tokens', from: new Date(from), to: new Date(to) };
    for (const expected of [3, 1]) {
      // First the meters' two pages and the summary; then the summary alone, the meter's id kept.
      const before = emulator.stats().requests;
      const receivedAtTurn: number[] = [];
      const pace = async () => {
        receivedAtTurn.push(emulator.stats().requests - before);
      };
      expect(await fresh.summarizeUsage!(query, signal(), pace)).toBe('4');
      expect(emulator.stats().requests - before).toBe(expected);
      expect(receivedAtTurn).toEqual(Array.from({ length: expected }, (_, turn) => turn));
    }
  });
});
