import { BcError } from './bc-error.js';
import type { FaultSettings } from './emulator-options.js';
import { AdmissionLimits } from '../common/admission-limits.js';

// Business Central online's operational limits for one user (the app's service principal): at most
// `windowRequests` requests in a sliding window of `windowMs` (6,000 per 5 minutes) and `concurrency`
// at once (100). Past either, 429 `Application_TooManyRequests`, worded as BC words it ("Too many
// requests reached. Actual (101). Maximum (100)."); a `Retry-After` only when configured, since BC's is
// unconfirmed. Refused requests do not count toward the window.

export type Refusal = 'rate' | 'concurrency';

export class LimitExceeded extends BcError {
  constructor(
    readonly refusal: Refusal,
    actual: number,
    maximum: number,
    retryAfterSeconds: number | undefined,
  ) {
    super(
      429,
      'Application_TooManyRequests',
      `Too many requests reached.  Actual (${actual}).  Maximum (${maximum}).`,
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    );
  }
}

/** BC's answers past the limits, with the count reached and the maximum. */
export class RequestLimits extends AdmissionLimits {
  constructor(faults: () => FaultSettings, now: () => number) {
    super(faults, now, {
      rate: (actual) => new LimitExceeded('rate', actual, faults().windowRequests, faults().retryAfterSeconds),
      concurrency: (actual) =>
        new LimitExceeded('concurrency', actual, faults().concurrency, faults().retryAfterSeconds),
    });
  }
}
