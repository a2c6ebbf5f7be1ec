import { BcError } from './bc-error.js';
import type { FaultSettings } from './emulator-options.js';

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

export class RequestLimits {
  private inFlight = 0;
  /** Arrival times (ms) within the window, oldest first. */
  private readonly arrivals: number[] = [];

  constructor(
    private readonly faults: () => FaultSettings,
    private readonly now: () => number,
  ) {}

  /** Admits a request or throws LimitExceeded; an admitted request must call the returned release once. */
  admit(): () => void {
    const { concurrency, windowRequests, windowMs, retryAfterSeconds } = this.faults();
    const now = this.now();
    while (this.arrivals.length > 0 && this.arrivals[0]! <= now - windowMs) this.arrivals.shift();
    if (this.arrivals.length >= windowRequests)
      throw new LimitExceeded('rate', this.arrivals.length + 1, windowRequests, retryAfterSeconds);
    if (this.inFlight >= concurrency)
      throw new LimitExceeded('concurrency', this.inFlight + 1, concurrency, retryAfterSeconds);
    this.arrivals.push(now);
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
  }

  reset(): void {
    this.arrivals.length = 0;
  }
}
