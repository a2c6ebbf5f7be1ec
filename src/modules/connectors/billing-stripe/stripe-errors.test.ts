import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { DeliveryFailure } from '../connector.js';
import { NonJsonAnswer, stripeFailure } from './stripe-errors.js';

// Every error the official client raises, as the failure class the outbox acts on. The raw errors are
// built as stripe-node builds them from an answer (its generateV1Error picks the class by status).

const now = new Date('2024-10-15T12:00:00Z');
const context = { what: 'POST /v1/invoiceitems (mb1:invoice_item:INV-1:1)', now, secret: 'sk_test_supersecret123' };

function answered(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) {
  return Stripe.errors.StripeError.generate({ ...error, statusCode: status, headers, requestId: 'req_1' } as never);
}

function classify(error: unknown) {
  const failure = stripeFailure(error, context);
  expect(failure).toBeInstanceOf(DeliveryFailure);
  return failure;
}

describe('Stripe errors as failure classes', () => {
  it('a rate limit is throttled, on the limiter Stripe names, with its Retry-After', () => {
    const failure = classify(
      answered(
        429,
        { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded.' },
        { 'retry-after': '2', 'stripe-rate-limited-reason': 'global-concurrency' },
      ),
    );
    expect(failure).toMatchObject({
      failureClass: 'throttled',
      detail: { status: 429, code: 'rate_limit', retryAfterMs: 2000, throttledOn: 'concurrency' },
    });
    expect(
      classify(
        answered(
          429,
          { type: 'invalid_request_error', code: 'rate_limit', message: 'x' },
          { 'stripe-rate-limited-reason': 'endpoint-rate' },
        ),
      ).detail.throttledOn,
    ).toBe('rate');
  });

  it('a lock timeout and a key still in flight are unavailable: nothing was done', () => {
    expect(
      classify(answered(429, { type: 'invalid_request_error', code: 'lock_timeout', message: 'locked' })).failureClass,
    ).toBe('unavailable');
    expect(
      classify(answered(409, { type: 'invalid_request_error', code: 'idempotency_key_in_use', message: 'in use' }))
        .failureClass,
    ).toBe('unavailable');
  });

  it("an idempotency error is invalid, a bug, with Stripe's text whole", () => {
    const message = 'Keys for idempotent requests can only be used with the same parameters they were first used with.';
    const failure = classify(answered(400, { type: 'idempotency_error', message }));
    expect(failure.failureClass).toBe('invalid');
    expect(failure.message).toContain('a bug');
    expect(failure.detail.targetText).toContain(message);
  });

  it('a refused key is auth and its text never holds the secret; an expired meter event session is unavailable', () => {
    const failure = classify(
      answered(401, { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_supersecret123' }),
    );
    expect(failure.failureClass).toBe('auth');
    expect(`${failure.message} ${failure.detail.targetText}`).not.toContain('supersecret');
    expect(classify(answered(403, { type: 'invalid_request_error', message: 'restricted key' })).failureClass).toBe(
      'auth',
    );
    const expired = Stripe.errors.StripeError.generate({
      type: 'temporary_session_expired',
      code: 'billing_meter_event_session_expired',
      message: 'expired',
      statusCode: 401,
    } as never);
    expect(classify(expired).failureClass).toBe('unavailable');
  });

  it('an api_error, any 5xx and a lost connection are unknown outcomes; a refused connection is unavailable', () => {
    expect(classify(answered(500, { type: 'api_error', message: 'An unknown error occurred' })).failureClass).toBe(
      'unknown_outcome',
    );
    const reset = new Stripe.errors.StripeConnectionError({
      message: 'An error occurred with our connection to Stripe.',
      detail: Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      }),
    } as never);
    expect(classify(reset).failureClass).toBe('unknown_outcome');
    const refused = new Stripe.errors.StripeConnectionError({
      message: 'An error occurred with our connection to Stripe.',
      detail: Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      }),
    } as never);
    expect(classify(refused).failureClass).toBe('unavailable');
    const timedOut = new Stripe.errors.StripeConnectionError({
      message: 'Request aborted due to timeout being reached (3000ms)',
    } as never);
    expect(classify(timedOut)).toMatchObject({
      failureClass: 'unknown_outcome',
      message: expect.stringContaining('no answer in time'),
    });
  });

  it("a proxy's page is classified by its status and kept as it came", () => {
    const page = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    const failure = classify(
      new Stripe.errors.StripeConnectionError({
        message: 'x',
        detail: new NonJsonAnswer(502, page, new Headers()),
      } as never),
    );
    expect(failure).toMatchObject({ failureClass: 'unknown_outcome', detail: { status: 502, targetText: page } });
  });

  it('an invalid request is invalid with its param as the path', () => {
    const failure = classify(
      answered(400, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'customer',
        message: "No such customer: 'cus_x'",
      }),
    );
    expect(failure).toMatchObject({
      failureClass: 'invalid',
      detail: { status: 400, code: 'resource_missing', path: 'customer' },
    });
    expect(failure.message).toContain("No such customer: 'cus_x'");
    expect(
      classify(answered(404, { type: 'invalid_request_error', message: 'Unrecognized request URL' })).failureClass,
    ).toBe('invalid');
  });
});
