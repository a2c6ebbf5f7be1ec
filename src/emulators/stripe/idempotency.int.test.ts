import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stripeCall, stripeErrorOf, type StripeCall } from '../../../test/harness/stripe-emulator-client.js';
import { startStripeEmulator, type StripeEmulator } from './index.js';

// Stripe's idempotent requests as the emulator keeps them: the first answer that began executing is
// replayed for the same key and parameters, other parameters or another endpoint are a 400
// idempotency_error, a key in flight a 409, a refusal before execution frees the key, and keys go after
// their retention on the emulator's clock.

const ACME = 'cus_EmulatorAcme01';
let emulator: StripeEmulator;
let clock = Date.UTC(2024, 9, 15, 12);

beforeAll(async () => {
  emulator = await startStripeEmulator({ now: () => clock });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const call = (request: StripeCall) => stripeCall(emulator.url, request);
const create = (form: Record<string, string | number | Record<string, string>>, idempotencyKey?: string) =>
  call({ path: '/v1/invoiceitems', form: { customer: ACME, currency: 'usd', ...form }, idempotencyKey });
const items = () => emulator.objects().invoiceitems as Array<{ id: string }>;

describe('idempotency keys', () => {
  it('replay the first answer, byte for byte, with Idempotent-Replayed and the original request id', async () => {
    const first = await create({ amount: 100, metadata: { a: '1', b: '2' } }, 'key-1');
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(first.headers.get('idempotency-key')).toBe('key-1');
    // The same parameters in another order are the same parameters.
    const again = await call({
      path: '/v1/invoiceitems',
      raw: `metadata[b]=2&amount=100&currency=usd&metadata[a]=1&customer=${ACME}`,
      idempotencyKey: 'key-1',
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('original-request')).toBe(first.headers.get('request-id'));
    expect(again.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
    expect(items()).toHaveLength(1);
    expect(emulator.stats().outcomes.replayed).toBe(1);
  });

  it('refuse other parameters or another endpoint with the key as a 400 idempotency_error', async () => {
    await create({ amount: 100 }, 'key-2');
    const other = await create({ amount: 101 }, 'key-2');
    expect(other.status).toBe(400);
    expect(stripeErrorOf(other)).toMatchObject({ type: 'idempotency_error' });
    expect(String(stripeErrorOf(other).message)).toContain('same parameters');
    const elsewhere = await call({ path: '/v1/invoices', form: { customer: ACME }, idempotencyKey: 'key-2' });
    expect(elsewhere.status).toBe(400);
    expect(String(stripeErrorOf(elsewhere).message)).toContain("'POST /v1/invoiceitems' vs 'POST /v1/invoices'");
    expect(items()).toHaveLength(1);
  });

  it('answer 409 idempotency_key_in_use while the first request with the key is in flight', async () => {
    emulator.setFaults({ latencyMs: 1500 });
    const first = create({ amount: 100 }, 'key-3');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const second = await create({ amount: 100 }, 'key-3');
    expect(second.status).toBe(409);
    expect(stripeErrorOf(second)).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_key_in_use' });
    expect(second.headers.get('stripe-should-retry')).toBe('true');
    expect((await first).status).toBe(200);
    expect((await create({ amount: 100 }, 'key-3')).headers.get('idempotent-replayed')).toBe('true');
  });

  it('save nothing for a request refused before it executed: the key serves the corrected request', async () => {
    const refused = await create({ amount: 'ten' }, 'key-4');
    expect(refused.status).toBe(400);
    emulator.setFaults({ lockTimeoutRate: 1 });
    expect((await create({ amount: 10 }, 'key-4')).status).toBe(429);
    emulator.setFaults({ lockTimeoutRate: 0, ratePerSecond: 0 });
    expect((await create({ amount: 10 }, 'key-4')).status).toBe(429);
    emulator.setFaults({ ratePerSecond: undefined });
    const created = await create({ amount: 10 }, 'key-4');
    expect(created.status).toBe(200);
    expect(created.headers.get('idempotent-replayed')).toBeNull();
  });

  it('are kept for the retention (24 hours) and then forgotten: the same key creates again', async () => {
    await create({ amount: 100 }, 'key-5');
    clock += 23 * 3_600_000;
    expect((await create({ amount: 100 }, 'key-5')).headers.get('idempotent-replayed')).toBe('true');
    clock += 1 * 3_600_000;
    const fresh = await create({ amount: 100 }, 'key-5');
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    expect(items()).toHaveLength(2);
  });

  it('apply to POSTs only, and refuse a key longer than 255 characters', async () => {
    const listed = await call({ path: `/v1/invoiceitems?customer=${ACME}`, idempotencyKey: 'key-6' });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('idempotency-key')).toBeNull();
    const long = await create({ amount: 1 }, 'k'.repeat(256));
    expect(long.status).toBe(400);
    expect(String(stripeErrorOf(long).message)).toContain('255');
    // Without a key every POST creates.
    await create({ amount: 1 });
    await create({ amount: 1 });
    expect(items()).toHaveLength(2);
  });
});
