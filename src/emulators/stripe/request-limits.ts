import type { FaultSettings } from './emulator-options.js';
import { StripeApiError } from './stripe-error.js';
import { AdmissionLimits, perSecond } from '../common/admission-limits.js';

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

/** Stripe's answers past the limiters. */
export class RequestLimits extends AdmissionLimits {
  constructor(faults: () => FaultSettings, now: () => number) {
    super(() => perSecond(faults()), now, {
      concurrency: () => rateLimited(faults(), 'global-concurrency'),
      rate: () => rateLimited(faults(), 'global-rate'),
    });
  }
}
