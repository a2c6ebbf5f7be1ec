import type { FaultSettings } from './emulator-options.js';
import { StripeApiError } from './stripe-error.js';

// The account's limiters: requests in flight at once and requests per sliding second. Past either, a
// 429 `rate_limit` in Stripe's shape whose `Stripe-Rate-Limited-Reason` header says which limiter
// (global-concurrency or global-rate), with a `Retry-After` only when the fault settings ask for one
// (Stripe documents none). A lock timeout is a 429 too, code `lock_timeout`.

const RATE_MESSAGE =
  'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.';

function retryHeaders(faults: FaultSettings, reason: string): Record<string, string> {
  const headers: Record<string, string> = { 'stripe-rate-limited-reason': reason };
  if (faults.retryAfterSeconds !== undefined) headers['retry-after'] = String(faults.retryAfterSeconds);
  return headers;
}

export function rateLimited(faults: FaultSettings, reason: 'global-rate' | 'global-concurrency'): StripeApiError {
  return new StripeApiError(429, 'invalid_request_error', RATE_MESSAGE, {
    code: 'rate_limit',
    headers: retryHeaders(faults, reason),
  });
}

export function lockTimeout(faults: FaultSettings, object: string): StripeApiError {
  return new StripeApiError(
    429,
    'invalid_request_error',
    `This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate. (${object})`,
    { code: 'lock_timeout', headers: { ...retryHeaders(faults, 'resource-specific'), 'stripe-should-retry': 'true' } },
  );
}

export class RequestLimits {
  private inFlight = 0;
  /** Arrival times (ms) within the last second, oldest first. */
  private readonly arrivals: number[] = [];

  constructor(
    private readonly faults: () => FaultSettings,
    private readonly now: () => number,
  ) {}

  /** Forgets past arrivals (a reset); requests in flight still count until they end. */
  forgetArrivals(): void {
    this.arrivals.length = 0;
  }

  /** Admits a request or throws the 429; an admitted request must call the returned release once. */
  admit(): () => void {
    const faults = this.faults();
    const now = this.now();
    while (this.arrivals.length > 0 && this.arrivals[0]! <= now - 1000) this.arrivals.shift();
    if (faults.ratePerSecond !== undefined && this.arrivals.length >= faults.ratePerSecond)
      throw rateLimited(faults, 'global-rate');
    if (this.inFlight >= faults.concurrency) throw rateLimited(faults, 'global-concurrency');
    this.arrivals.push(now);
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
  }
}
