import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stripeCall, stripeErrorOf, type StripeCall } from '../../../test/harness/stripe-emulator-client.js';
import { startStripeEmulator, type StripeEmulator } from './index.js';

// The faults a Stripe client must survive, each injected on its own, and the admin endpoint that sets
// them; then hostile requests, each answered by one precise refusal in Stripe's shape.

const ACME = 'cus_EmulatorAcme01';
let emulator: StripeEmulator;

beforeAll(async () => {
  emulator = await startStripeEmulator({ seed: 7 });
});
afterAll(() => emulator.close());
beforeEach(() => emulator.reset());

const call = (request: StripeCall) => stripeCall(emulator.url, request);
const item = { customer: ACME, amount: 100, currency: 'usd' };
const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${emulator.url}/__emulator/${path}`, { ...init, headers: { 'content-type': 'application/json' } });

describe('fault injection', () => {
  it('random 5xx (seeded) come before anything is done: a 500 in JSON, 502 and 503 as HTML pages', async () => {
    emulator.setFaults({ errorRate: 1 });
    const statuses = new Set<number>();
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const answer = await call({ path: '/v1/invoiceitems', form: item, idempotencyKey: `e-${attempt}` });
      statuses.add(answer.status);
      if (answer.status === 500) expect(stripeErrorOf(answer)).toMatchObject({ type: 'api_error' });
      else expect(String(answer.body)).toContain('<html>');
    }
    expect([...statuses].sort()).toEqual([500, 502, 503]);
    expect(emulator.objects().invoiceitems).toEqual([]);
    expect(emulator.stats().outcomes.injectedError).toBe(12);
  });

  it('an outage answers 503 pages, or refuses connections, until it ends', async () => {
    emulator.setFaults({ outage: { mode: '503', untilMs: Date.now() + 60_000 } });
    expect((await call({ path: `/v1/customers/${ACME}` })).status).toBe(503);
    emulator.setFaults({ outage: { mode: 'refuse', untilMs: Date.now() + 300 } });
    await expect(call({ path: `/v1/customers/${ACME}` })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await call({ path: `/v1/customers/${ACME}` })).status).toBe(200);
  });

  it('commit-then-drop keeps the write and its saved answer; slow answers come after the commit', async () => {
    emulator.setFaults({ dropAfterCommitRate: 1 });
    await expect(call({ path: '/v1/invoiceitems', form: item, idempotencyKey: 'drop-1' })).rejects.toThrow();
    expect(emulator.objects().invoiceitems).toHaveLength(1);
    // Reads are never dropped; the replay of the dropped write is not a write.
    emulator.setFaults({ dropAfterCommitRate: 1 });
    const replay = await call({ path: '/v1/invoiceitems', form: item, idempotencyKey: 'drop-1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    emulator.setFaults({ dropAfterCommitRate: 0, slowMs: 200 });
    const started = Date.now();
    const slow = call({ path: '/v1/invoiceitems', form: item, idempotencyKey: 'slow-1' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(emulator.objects().invoiceitems).toHaveLength(2);
    expect((await slow).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('limits answer 429 rate_limit naming the limiter, with Retry-After when asked', async () => {
    emulator.setFaults({ ratePerSecond: 2, retryAfterSeconds: 1 });
    const answers = [];
    for (let attempt = 0; attempt < 3; attempt += 1) answers.push(await call({ path: `/v1/customers/${ACME}` }));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(answers[2]!.headers.get('stripe-rate-limited-reason')).toBe('global-rate');
    expect(answers[2]!.headers.get('retry-after')).toBe('1');
    emulator.setFaults({ ratePerSecond: undefined, concurrency: 1, latencyMs: 1000 });
    const holding = call({ path: `/v1/customers/${ACME}` });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const second = await call({ path: `/v1/customers/${ACME}` });
    expect(second.status).toBe(429);
    expect(second.headers.get('stripe-rate-limited-reason')).toBe('global-concurrency');
    expect((await holding).status).toBe(200);
    expect(emulator.stats().outcomes).toMatchObject({ rateLimited: 1, concurrencyLimited: 1 });
  });

  it('refused keys answer 401 for a while, as a rolled key does', async () => {
    emulator.setFaults({ refuseKeys: { untilMs: Date.now() + 60_000 } });
    const refused = await call({ path: `/v1/customers/${ACME}` });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
  });
});

describe('the admin endpoint', () => {
  it('reads and changes faults, refusing every bad setting at once', async () => {
    const changed = await admin('faults', {
      method: 'PUT',
      body: JSON.stringify({ latencyMs: 5, outage: { mode: '503', forMs: 1000 } }),
    });
    expect(await changed.json()).toMatchObject({ latencyMs: 5, outage: { mode: '503' } });
    const bad = await admin('faults', {
      method: 'PUT',
      body: JSON.stringify({ errorRate: 2, colour: 1, refuseKeys: 'x' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { problems: string[] }).problems).toHaveLength(3);
  });

  it('adds customers, moves the clock, expires sessions and lists the requests it saw', async () => {
    const added = await admin('customers', {
      method: 'POST',
      body: JSON.stringify({ id: 'cus_Added1', currency: 'GBP' }),
    });
    expect(await added.json()).toMatchObject({ id: 'cus_Added1', currency: 'gbp', object: 'customer' });
    expect((await call({ path: '/v1/customers/cus_Added1' })).status).toBe(200);
    expect((await admin('customers', { method: 'POST', body: JSON.stringify({ id: 'nope' }) })).status).toBe(400);
    const before = emulator.now();
    const moved = (await (
      await admin('clock', { method: 'POST', body: JSON.stringify({ advanceMs: 86_400_000 }) })
    ).json()) as { nowMs: number };
    expect(moved.nowMs - before).toBeGreaterThanOrEqual(86_400_000);
    expect(await (await admin('meter-event-sessions/expire', { method: 'POST' })).json()).toEqual({ expired: 0 });
    const requests = (await (await admin('requests')).json()) as { items: Array<{ path: string; status: number }> };
    expect(requests.items).toEqual([expect.objectContaining({ path: '/v1/customers/cus_Added1', status: 200 })]);
    expect((await admin('nothing')).status).toBe(404);
  });
});

describe('hostile requests', () => {
  const refusal = async (request: StripeCall, status = 400) => {
    const answer = await call(request);
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    return stripeErrorOf(answer);
  };

  it('refuses malformed, conflicting and prototype-polluting parameter names', async () => {
    for (const raw of [
      `customer=${ACME}&amount=1&currency=usd&metadata[a=1`,
      `customer=${ACME}&amount=1&currency=usd&amount=2`,
      `customer=${ACME}&amount=1&currency=usd&metadata=x&metadata[a]=1`,
      `customer=${ACME}&amount=1&currency=usd&metadata[__proto__][x]=1`,
      `customer=${ACME}&amount=1&currency=usd&[x]=1`,
    ])
      expect(await refusal({ path: '/v1/invoiceitems', raw })).toMatchObject({ type: 'invalid_request_error' });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses NUL, a JSON body on v1, a body too large and too many parameters', async () => {
    expect(
      await refusal({ path: '/v1/invoiceitems', raw: `customer=${ACME}&amount=1&description=a%00b` }),
    ).toMatchObject({
      param: 'description',
    });
    expect(
      await refusal({
        path: '/v1/invoiceitems',
        raw: JSON.stringify(item),
        headers: { 'content-type': 'application/json' },
      }),
    ).toMatchObject({ type: 'invalid_request_error' });
    await refusal({ path: '/v1/invoiceitems', raw: `description=${'x'.repeat(1_100_000)}` }, 413);
    const many = Array.from({ length: 2001 }, (_, index) => `metadata[k${index}]=v`).join('&');
    expect(String((await refusal({ path: '/v1/invoiceitems', raw: many })).message)).toContain('2000');
  });

  it('refuses values Stripe refuses, naming the parameter', async () => {
    const bad = async (form: Record<string, unknown>, param: string) =>
      expect(await refusal({ path: '/v1/invoiceitems', form: { ...item, ...form } as never })).toMatchObject({ param });
    await bad({ amount: undefined, unit_amount_decimal: '1.1234567890123' }, 'unit_amount_decimal');
    await bad({ amount: undefined, unit_amount: 5, quantity: -1 }, 'quantity');
    await bad({ currency: 'dollars' }, 'currency');
    await bad({ period: { start: 10, end: 5 } }, 'period[end]');
    await bad({ period: { start: 10 } }, 'period[end]');
    await bad({ metadata: { ['k'.repeat(41)]: 'v' } }, `metadata[${'k'.repeat(41)}]`);
    await bad({ metadata: { k: 'v'.repeat(501) } }, 'metadata[k]');
    await bad({ tax_rates: ['txr_1'] }, 'tax_rates');
    await bad({ amount: 1_000_000_000_000 }, 'amount');
    expect(await refusal({ path: '/v1/invoiceitems', form: { ...item, unit_amount: 5 } })).toMatchObject({
      message: expect.stringContaining('only specify one'),
    });
    expect(await refusal({ path: '/v1/customers/%E0%A4%A' }, 404)).toMatchObject({ type: 'invalid_request_error' });
  });
});
