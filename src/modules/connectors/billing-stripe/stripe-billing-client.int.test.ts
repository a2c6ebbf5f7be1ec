import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.js';
import { DEFAULT_SECRET_KEY, startStripeEmulator, type StripeEmulator } from '../../../emulators/stripe/index.js';
import { DeliveryFailure } from '../connector.js';
import { createStripeBillingClient, type InvoiceItemInput, type StripeBillingClient } from './stripe-billing-client.js';

// The client core against the Stripe emulator: keys derived from the posting make a crash and a retry
// harmless, a retry past the keys' 24 hours reads back first, and every fault the emulator can inject
// arrives as the failure class the outbox acts on.

const ACME = 'cus_EmulatorAcme01';
const HOUR = 3_600_000;

let emulator: StripeEmulator;
let clock: ManualClock;
let client: StripeBillingClient;

beforeAll(async () => {
  // The emulator's clock is the client's, so both can be moved past the key retention together.
  clock = new ManualClock(new Date());
  emulator = await startStripeEmulator({ now: () => clock.now().getTime(), idempotencyRetentionMs: 24 * HOUR });
  client = createStripeBillingClient({ apiBaseUrl: emulator.url, timeoutMs: 1500 }, DEFAULT_SECRET_KEY, clock);
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const item = (overrides: Partial<InvoiceItemInput> = {}): InvoiceItemInput => ({
  customer: ACME,
  currency: 'USD',
  description: 'API calls, October 2024',
  period: { start: new Date('2024-10-01T00:00:00Z'), end: new Date('2024-11-01T00:00:00Z') },
  charge: { unitAmountDecimal: '0.125', quantity: 1003 },
  ...overrides,
});

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
  emulator.objects().invoiceitems as Array<{ id: string; metadata: Record<string, string>; amount: number }>;
const posts = () => emulator.requests().filter((request) => request.method === 'POST');

describe('the Stripe client core', () => {
  it('creates an invoice item with a key and metadata from the posting; a retry replays it', async () => {
    const ref = { externalId: 'INV-2024-0001', line: 1 };
    const first = await client.createInvoiceItem(item(), ref);
    expect(first).toMatchObject({ amount: 125, via: 'created' });
    const retry = await client.createInvoiceItem(item(), ref);
    expect(retry).toEqual({ ...first, via: 'replayed' });
    expect(items()).toHaveLength(1);
    expect(items()[0]!.metadata).toEqual({ meterbridge_posting: 'INV-2024-0001', meterbridge_line: '1' });
    expect(posts().map((request) => request.idempotencyKey)).toEqual([
      'mb1:invoice_item:INV-2024-0001:1',
      'mb1:invoice_item:INV-2024-0001:1',
    ]);
    expect(emulator.requests().every((request) => request.stripeVersion === '2024-04-10')).toBe(true);
  });

  it("a retry with other lines under the same key is invalid, a bug, with Stripe's text", async () => {
    const ref = { externalId: 'INV-2024-0002', line: 1 };
    await client.createInvoiceItem(item(), ref);
    const changed = await failure(client.createInvoiceItem(item({ charge: { amount: 999 } }), ref));
    expect(changed).toMatchObject({ failureClass: 'invalid', detail: { status: 400 } });
    expect(changed.detail.targetText).toContain('same parameters');
  });

  it('past the key retention it reads back by metadata instead of creating a second item', async () => {
    const ref = { externalId: 'INV-2024-0003', line: 2 };
    const firstAttemptAt = clock.now();
    const first = await client.createInvoiceItem(item(), { ...ref, firstAttemptAt });
    clock.advance(25 * HOUR);
    const later = await client.createInvoiceItem(item(), { ...ref, firstAttemptAt });
    expect(later).toEqual({ id: first.id, amount: 125, via: 'found' });
    expect(items()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    // Nothing there after all: the late retry creates it (the key is long gone, so nothing to replay).
    const never = await client.createInvoiceItem(item(), { externalId: 'INV-2024-0004', line: 1, firstAttemptAt });
    expect(never.via).toBe('created');
    expect(await client.findInvoiceItem(ACME, { externalId: 'INV-2024-0004', line: 1 })).toMatchObject({
      id: never.id,
    });
    expect(await client.findInvoiceItem(ACME, { externalId: 'INV-2024-0004', line: 9 })).toBeUndefined();
  });

  it('issues a draft invoice of the pending items once: a retry replays it, past the retention it is read back', async () => {
    const ref = { externalId: 'INV-2024-0005', line: 0 };
    await client.createInvoiceItem(item(), { externalId: 'INV-2024-0005', line: 1 });
    const firstAttemptAt = clock.now();
    const first = await client.createInvoice({ customer: ACME, description: 'October' }, { ...ref, firstAttemptAt });
    expect(first).toMatchObject({ total: 125, via: 'created' });
    expect(await client.createInvoice({ customer: ACME, description: 'October' }, ref)).toEqual({
      ...first,
      via: 'replayed',
    });
    clock.advance(25 * HOUR);
    expect(await client.createInvoice({ customer: ACME }, { ...ref, firstAttemptAt })).toEqual({
      ...first,
      via: 'found',
    });
    const invoices = emulator.objects().invoices as Array<{ id: string; auto_advance: boolean; metadata: object }>;
    expect(invoices).toEqual([
      expect.objectContaining({ id: first.id, auto_advance: true, metadata: { meterbridge_posting: 'INV-2024-0005' } }),
    ]);
    expect(posts().map((request) => request.idempotencyKey)).toEqual([
      'mb1:invoice_item:INV-2024-0005:1',
      'mb1:invoice:INV-2024-0005:0',
      'mb1:invoice:INV-2024-0005:0',
    ]);
  });

  it('a connection dropped after the commit is an unknown outcome; the read-back finds the item and the retry replays it', async () => {
    emulator.setFaults({ dropAfterCommitRate: 1 });
    const ref = { externalId: 'INV-2024-0005', line: 1 };
    expect((await failure(client.createInvoiceItem(item(), ref))).failureClass).toBe('unknown_outcome');
    emulator.setFaults({ dropAfterCommitRate: 0 });
    const found = await client.findInvoiceItem(ACME, ref, clock.now());
    expect(found).toBeDefined();
    expect(await client.createInvoiceItem(item(), ref)).toMatchObject({ id: found!.id, via: 'replayed' });
    expect(items()).toHaveLength(1);
  });

  it('an answer slower than timeoutMs is an unknown outcome, and the retry replays what was committed', async () => {
    emulator.setFaults({ slowMs: 2500 });
    const ref = { externalId: 'INV-2024-0006', line: 1 };
    const slow = await failure(client.createInvoiceItem(item(), ref));
    expect(slow).toMatchObject({
      failureClass: 'unknown_outcome',
      message: expect.stringContaining('no answer in time'),
    });
    emulator.setFaults({ slowMs: 0 });
    expect((await client.createInvoiceItem(item(), ref)).via).toBe('replayed');
    expect(items()).toHaveLength(1);
  });

  it('throttling, a lock timeout and a key in flight arrive as throttled and unavailable', async () => {
    emulator.setFaults({ ratePerSecond: 0, retryAfterSeconds: 4 });
    expect(await failure(client.createInvoiceItem(item(), { externalId: 'T-1', line: 1 }))).toMatchObject({
      failureClass: 'throttled',
      detail: { status: 429, code: 'rate_limit', retryAfterMs: 4000, throttledOn: 'rate' },
    });
    emulator.setFaults({ ratePerSecond: undefined, concurrency: 1, latencyMs: 1000 });
    const holding = client.createInvoiceItem(item(), { externalId: 'T-2', line: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await failure(client.findInvoiceItem(ACME, { externalId: 'T-2', line: 1 }))).toMatchObject({
      failureClass: 'throttled',
      detail: { throttledOn: 'concurrency' },
    });
    await holding;
    emulator.setFaults({ concurrency: 100 });
    const again = client.createInvoiceItem(item(), { externalId: 'T-3', line: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await failure(client.createInvoiceItem(item(), { externalId: 'T-3', line: 1 }))).toMatchObject({
      failureClass: 'unavailable',
      detail: { status: 409, code: 'idempotency_key_in_use' },
    });
    expect((await again).via).toBe('created');
    emulator.setFaults({ latencyMs: 0, lockTimeoutRate: 1 });
    expect(await failure(client.createInvoiceItem(item(), { externalId: 'T-4', line: 1 }))).toMatchObject({
      failureClass: 'unavailable',
      detail: { status: 429, code: 'lock_timeout' },
    });
  });

  it("a 500 saved for the key replays until a read-back proves nothing was made and a new generation's key is used", async () => {
    emulator.setFaults({ storedErrorRate: 1 });
    const ref = { externalId: 'INV-2024-0007', line: 1 };
    expect((await failure(client.createInvoiceItem(item(), ref))).failureClass).toBe('unknown_outcome');
    emulator.setFaults({ storedErrorRate: 0 });
    const replayed = await failure(client.createInvoiceItem(item(), ref));
    expect(replayed).toMatchObject({ failureClass: 'unknown_outcome', detail: { status: 500 } });
    expect(await client.findInvoiceItem(ACME, ref)).toBeUndefined();
    expect((await client.createInvoiceItem(item(), { ...ref, generation: 1 })).via).toBe('created');
    expect(items()).toHaveLength(1);
  });

  it('a wrong key is auth, a wrong customer invalid with its param, a fractional quantity refused before sending', async () => {
    const wrong = createStripeBillingClient({ apiBaseUrl: emulator.url }, 'sk_test_wrongwrongwrong', clock);
    const refused = await failure(wrong.createInvoiceItem(item(), { externalId: 'A-1', line: 1 }));
    expect(refused).toMatchObject({ failureClass: 'auth', detail: { status: 401 } });
    expect(JSON.stringify(refused.detail) + refused.message).not.toContain('sk_test_wrongwrongwrong');

    const nobody = await failure(
      client.createInvoiceItem(item({ customer: 'cus_Nobody' }), { externalId: 'A-2', line: 1 }),
    );
    expect(nobody).toMatchObject({
      failureClass: 'invalid',
      detail: { status: 400, code: 'resource_missing', path: 'customer' },
    });
    expect(JSON.parse(nobody.detail.targetText!)).toMatchObject({
      error: { message: "No such customer: 'cus_Nobody'" },
    });

    const before = emulator.stats().requests;
    const fractional = await failure(
      client.createInvoiceItem(item({ charge: { unitAmountDecimal: '12', quantity: 2.5 } }), {
        externalId: 'A-3',
        line: 1,
      }),
    );
    expect(fractional).toMatchObject({ failureClass: 'invalid', message: expect.stringContaining('whole quantities') });
    expect(emulator.stats().requests).toBe(before);
  });

  it("outages, a proxy's error page and a cancelled request arrive as what they are", async () => {
    emulator.setFaults({ outage: { mode: 'refuse', untilMs: clock.now().getTime() + HOUR } });
    // The outage cuts open keep-alive connections too: a request on one of those is an unknown outcome,
    // so wait until the client's pool has seen them close; a new connection is then refused.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await failure(client.createInvoiceItem(item(), { externalId: 'O-1', line: 1 }))).failureClass).toBe(
      'unavailable',
    );
    emulator.setFaults({ outage: { mode: '503', untilMs: clock.now().getTime() + HOUR } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const unavailable = await failure(client.createInvoiceItem(item(), { externalId: 'O-2', line: 1 }));
    expect(unavailable).toMatchObject({ failureClass: 'unknown_outcome', detail: { status: 503 } });
    expect(unavailable.detail.targetText).toContain('<html>');
    emulator.setFaults({ outage: undefined, latencyMs: 1000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const cancelled = await failure(
      client.createInvoiceItem(item(), { externalId: 'O-3', line: 1 }, controller.signal),
    );
    expect(cancelled.failureClass).toBe('unknown_outcome');
    expect(
      (await failure(client.createInvoiceItem(item(), { externalId: 'O-4', line: 1 }, controller.signal))).failureClass,
    ).toBe('unavailable');
  });
});

describe('meter events through the client core', () => {
  const event = { eventName: 'api_calls', customer: ACME, value: '25' };

  it('creates a meter event with an identifier from the posting; a retry replays it', async () => {
    const ref = { externalId: 'USG-2024-10-15', line: 7 };
    const timestamp = new Date(clock.now().getTime() - HOUR);
    expect(await client.createMeterEvent({ ...event, timestamp }, ref)).toEqual({
      identifier: 'mb1:USG-2024-10-15:7',
      via: 'created',
    });
    expect(await client.createMeterEvent({ ...event, timestamp }, ref)).toMatchObject({ via: 'replayed' });
    expect(emulator.objects().meter_events).toHaveLength(1);
  });

  it('an identifier Stripe already holds, once the key is gone, is a duplicate, counted once', async () => {
    const shortKeys = await startStripeEmulator({ now: () => clock.now().getTime(), idempotencyRetentionMs: HOUR });
    try {
      const shortClient = createStripeBillingClient({ apiBaseUrl: shortKeys.url }, DEFAULT_SECRET_KEY, clock);
      const ref = { externalId: 'USG-2024-10-16', line: 1 };
      const timestamp = new Date(clock.now().getTime() - HOUR);
      await shortClient.createMeterEvent({ ...event, timestamp }, ref);
      shortKeys.advanceClock(2 * HOUR);
      clock.advance(2 * HOUR);
      expect(await shortClient.createMeterEvent({ ...event, timestamp }, ref)).toMatchObject({ via: 'duplicate' });
      expect(shortKeys.objects().meter_events).toHaveLength(1);
    } finally {
      await shortKeys.close();
    }
  });

  it('refuses to resend an event first sent over 23 hours ago, and events Stripe would refuse, before sending', async () => {
    const ref = { externalId: 'USG-2024-10-17', line: 1 };
    const old = await failure(
      client.createMeterEvent(
        { ...event, timestamp: clock.now() },
        { ...ref, firstAttemptAt: new Date(clock.now().getTime() - 24 * HOUR) },
      ),
    );
    expect(old).toMatchObject({ failureClass: 'invalid', message: expect.stringContaining('event summaries') });
    const ancient = await failure(
      client.createMeterEvent({ ...event, timestamp: new Date(clock.now().getTime() - 40 * 24 * HOUR) }, ref),
    );
    expect(ancient.message).toContain('35 days');
    expect(
      (await failure(client.createMeterEvent({ ...event, value: '-1', timestamp: clock.now() }, ref))).failureClass,
    ).toBe('invalid');
    expect(emulator.stats().requests).toBe(0);
  });
});
