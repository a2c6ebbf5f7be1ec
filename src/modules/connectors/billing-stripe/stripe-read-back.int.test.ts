import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_KEY, startStripeEmulator, type StripeEmulator } from '../../../emulators/stripe/index.js';
import { DeliveryFailure, type BillingHandOff, type Connector } from '../connector.js';
import { stripeNodeClient } from '../../../../test/harness/stripe-node.js';
import { createStripeConnector } from './stripe-connector.js';

// Reconciliation's read-back of billing hand-offs against the Stripe emulator: `find` answers the id the
// delivery answered, the items' sum in the currency's major units and a line per item placed at the
// document line it bills; `listHeld` pages through a range's items and groups them into hand-offs, a copy
// of one listed as a second document; every refusal and throttle is a DeliveryFailure of its class.

let emulator: StripeEmulator;
let connector: Connector;

beforeAll(async () => {
  emulator = await startStripeEmulator({
    seed: 3,
    customers: [
      { id: 'cus_EmulatorAcme01', currency: 'usd' },
      { id: 'cus_EmulatorTokyo1', currency: 'jpy' },
      { id: 'cus_EmulatorManama', currency: 'bhd' },
    ],
  });
  connector = createStripeConnector(
    {
      key: 'stripe',
      kind: 'stripe',
      settings: { apiBaseUrl: emulator.url, send: 'invoice_items', timeoutMs: 5000 },
      credentials: 'STRIPE',
      limits: { requestsPerSecond: 100, concurrency: 4 },
    },
    async () => DEFAULT_SECRET_KEY,
  );
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const signal = () => AbortSignal.timeout(10_000);
const today = () => new Date().toISOString().slice(0, 10);

function handOff(
  n: number,
  overrides: Partial<BillingHandOff> = {},
  amounts = ['12.34', '49.00', '3.57'],
): BillingHandOff {
  const invoiceNumber = `MB-${n}`;
  const invoiceId = `inv_${n}`;
  const total = amounts.reduce((sum, amount) => sum + Math.round(Number(amount) * 1000), 0) / 1000;
  return {
    type: 'billing_items',
    externalId: `B-RB${String(n).padStart(12, '0')}`,
    customer: 'cus_EmulatorAcme01',
    currency: 'USD',
    issue: false,
    memo: `Document ${n}`,
    source: { invoiceId, invoiceNumber },
    items: amounts.map((amount, index) => ({
      description: `Line ${index + 1}`,
      quantity: null,
      unitPrice: null,
      amount,
      period: { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' },
      reference: { invoiceId, invoiceNumber, lineNo: index + 1 },
    })),
    total: String(total),
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<DeliveryFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryFailure) return error;
    throw error;
  }
  throw new Error('expected a DeliveryFailure');
}

const items = () =>
  emulator.objects().invoiceitems as Array<{ id: string; amount: number; metadata: Record<string, string> }>;
const gets = (path: string) =>
  emulator.requests().filter((request) => request.method === 'GET' && request.path === path);

describe("the Stripe connector's read-back", () => {
  it('finds a hand-off with the id it was delivered under, its total and a line per document line', async () => {
    const body = handOff(1);
    const delivered = await connector.deliver(body, signal());
    expect(await connector.find(body, signal())).toEqual({
      id: delivered.id,
      total: '64.91',
      lines: [
        { place: 'MB-1/1', amount: '12.34' },
        { place: 'MB-1/2', amount: '49' },
        { place: 'MB-1/3', amount: '3.57' },
      ],
    });
    expect(await connector.find(handOff(2), signal())).toBeUndefined();
  });

  it("converts Stripe's minor units back by its own rules: zero-decimal yen, three-decimal dinars, negative credits", async () => {
    const yen = handOff(3, { customer: 'cus_EmulatorTokyo1', currency: 'JPY', total: '1485' }, ['1500', '-15']);
    const dinar = handOff(4, { customer: 'cus_EmulatorManama', currency: 'BHD', total: '1.25' }, ['1.5', '-0.25']);
    for (const body of [yen, dinar]) await connector.deliver(body, signal());
    expect(await connector.find(yen, signal())).toMatchObject({
      total: '1485',
      lines: [
        { place: 'MB-3/1', amount: '1500' },
        { place: 'MB-3/2', amount: '-15' },
      ],
    });
    expect(items().find((item) => item.metadata.meterbridge_posting === dinar.externalId)?.amount).toBe(1500);
    expect(await connector.find(dinar, signal())).toMatchObject({
      total: '1.25',
      lines: [{ amount: '1.5' }, { amount: '-0.25' }],
    });
  });

  it('shows an amount moved between lines by hand, with the total kept', async () => {
    const body = handOff(5);
    await connector.deliver(body, signal());
    const [first, second] = items();
    emulator.setInvoiceItemAmount(first!.id, first!.amount + 500);
    emulator.setInvoiceItemAmount(second!.id, second!.amount - 500);
    expect(await connector.find(body, signal())).toMatchObject({
      total: '64.91',
      lines: [{ amount: '17.34' }, { amount: '44' }, { amount: '3.57' }],
    });
  });

  it("answers the invoice's id for a hand-off Stripe issued, in find and in the listing alike", async () => {
    const body = handOff(6, { issue: true });
    const delivered = await connector.deliver(body, signal());
    expect(delivered.id).toMatch(/^in_/);
    expect(await connector.find(body, signal())).toMatchObject({ id: delivered.id, total: '64.91' });
    const listed = await connector.listHeld!({ from: today(), to: today() }, signal());
    expect(listed).toEqual([{ id: delivered.id, externalId: body.externalId, type: 'invoiceitem', total: '64.91' }]);
  });
});

describe("the Stripe connector's listing", () => {
  it("pages through a range's items and lists each hand-off once, a hand-made copy as a second document", async () => {
    const bodies = Array.from({ length: 40 }, (_, index) => handOff(100 + index));
    const ids = new Map<string, string>();
    for (const body of bodies) ids.set(body.externalId, (await connector.deliver(body, signal())).id);
    const copied = items().filter((item) => item.metadata.meterbridge_posting === bodies[0]!.externalId);
    for (const item of copied) emulator.copyInvoiceItem(item.id);
    // Another integration's item, without Meterbridge's metadata: listed on its own, under no external id.
    const foreign = await stripeNodeClient(emulator).invoiceItems.create(
      { customer: 'cus_EmulatorAcme01', amount: 700, currency: 'usd' },
      { idempotencyKey: 'another-integration-1' },
    );

    const listed = await connector.listHeld!({ from: today(), to: today() }, signal());
    expect(
      gets('/v1/invoiceitems').map(
        (request) => (request.params as Record<string, unknown>).starting_after !== undefined,
      ),
    ).toEqual([false, true]);
    for (const body of bodies.slice(1))
      expect(listed.filter((document) => document.externalId === body.externalId)).toEqual([
        { id: ids.get(body.externalId), externalId: body.externalId, type: 'invoiceitem', total: '64.91' },
      ]);
    const twice = listed.filter((document) => document.externalId === bodies[0]!.externalId);
    expect(twice.map((document) => document.total)).toEqual(['64.91', '64.91']);
    expect(twice[0]!.id).toBe(ids.get(bodies[0]!.externalId));
    expect(twice[1]!.id).not.toBe(twice[0]!.id);
    expect(listed).toContainEqual({ id: foreign.id, externalId: null, type: 'invoiceitem', total: '7' });
  });

  it('lists nothing of days outside the range, and asks Stripe for whole UTC days', async () => {
    await connector.deliver(handOff(7), signal());
    expect(await connector.listHeld!({ from: '2020-01-01', to: '2020-01-31' }, signal())).toEqual([]);
    expect(gets('/v1/invoiceitems')[0]!.params).toMatchObject({
      created: { gte: String(Date.UTC(2020, 0, 1) / 1000), lte: String(Date.UTC(2020, 1, 1) / 1000 - 1) },
    });
  });

  it('refuses a range that is not two calendar days in order before asking Stripe anything', async () => {
    for (const range of [
      { from: '2026-13-01', to: '2026-12-31' },
      { from: '2026-02-30', to: '2026-03-01' },
      { from: "2026-01-01' OR 1=1", to: '2026-01-31' },
      { from: '2026-01-01', to: '2026-01-01&created[gte]=0' },
      { from: '2026-02-01', to: '2026-01-31' },
    ])
      expect(await failure(connector.listHeld!(range, signal()))).toMatchObject({ failureClass: 'invalid' });
    expect(emulator.requests()).toEqual([]);
  });

  it('a throttled page is a throttled DeliveryFailure with the Retry-After, and an outage is unavailable', async () => {
    for (let n = 0; n < 35; n += 1) await connector.deliver(handOff(200 + n), signal());
    emulator.setFaults({ ratePerSecond: 1, retryAfterSeconds: 3 });
    const throttled = await failure(connector.listHeld!({ from: today(), to: today() }, signal()));
    expect(throttled).toMatchObject({ failureClass: 'throttled', detail: { status: 429, retryAfterMs: 3000 } });
    emulator.setFaults({ ratePerSecond: undefined, outage: { mode: '503', untilMs: Date.now() + 60_000 } });
    const down = await failure(connector.listHeld!({ from: today(), to: today() }, signal()));
    // A read changes nothing, but the class is the one every Stripe 5xx gets.
    expect(down).toMatchObject({ failureClass: 'unknown_outcome', detail: { status: 503 } });
  });
});

describe("reconciliation's pace on the Stripe connector's reads", () => {
  /** A pace that counts its turns, and how many requests the emulator had received at each. */
  function countingPace() {
    const before = emulator.stats().requests;
    const receivedAtTurn: number[] = [];
    return {
      pace: async () => {
        receivedAtTurn.push(emulator.stats().requests - before);
      },
      paced: () => receivedAtTurn.length,
      received: () => emulator.stats().requests - before,
      receivedAtTurn,
    };
  }

  /** A hand-off Stripe issued, among more of the customer's items than a page holds. */
  async function issuedAmongMany(): Promise<BillingHandOff> {
    const body = handOff(300, { issue: true });
    await connector.deliver(body, signal());
    const foreign = await stripeNodeClient(emulator).invoiceItems.create(
      { customer: 'cus_EmulatorAcme01', amount: 700, currency: 'usd' },
      { idempotencyKey: 'another-integration-2' },
    );
    for (let n = 0; n < 100; n += 1) emulator.copyInvoiceItem(foreign.id);
    return body;
  }

  it('find awaits the pace before each request: every page of the items, then the invoices', async () => {
    const body = await issuedAmongMany();
    const counting = countingPace();
    expect(await connector.find(body, signal(), { queuedAt: new Date(), pace: counting.pace })).toMatchObject({
      total: '64.91',
    });
    // Two pages of items and one of invoices, each request sent after its turn.
    expect(counting.received()).toBe(3);
    expect(counting.paced()).toBe(counting.received());
    expect(counting.receivedAtTurn).toEqual([0, 1, 2]);
  });

  it('listHeld awaits the pace before each page of the items and of the invoices', async () => {
    const body = await issuedAmongMany();
    const counting = countingPace();
    const listed = await connector.listHeld!({ from: today(), to: today() }, signal(), counting.pace);
    expect(listed.filter((document) => document.externalId === body.externalId)).toHaveLength(1);
    expect(gets('/v1/invoiceitems')).toHaveLength(2);
    expect(counting.received()).toBe(3);
    expect(counting.paced()).toBe(counting.received());
    expect(counting.receivedAtTurn).toEqual([0, 1, 2]);
  });

  it("a look-up without a pace (the dispatcher's) reads as before", async () => {
    const body = await issuedAmongMany();
    const before = emulator.stats().requests;
    expect(await connector.find(body, signal(), { queuedAt: new Date() })).toMatchObject({ total: '64.91' });
    expect(emulator.stats().requests - before).toBe(3);
  });

  it("takes a wait for the pace from no request's timeout: the wait comes before the request is timed", async () => {
    const short = createStripeConnector(
      {
        key: 'stripe-short',
        kind: 'stripe',
        settings: { apiBaseUrl: emulator.url, send: 'invoice_items', timeoutMs: 200 },
        credentials: 'STRIPE',
        limits: { requestsPerSecond: 100, concurrency: 4 },
      },
      async () => DEFAULT_SECRET_KEY,
    );
    let paced = 0;
    const slowPace = async () => {
      paced += 1;
      await new Promise((resolve) => setTimeout(resolve, 400));
    };
    expect(await short.listHeld!({ from: today(), to: today() }, signal(), slowPace)).toEqual([]);
    expect(paced).toBe(2);
  });
});
