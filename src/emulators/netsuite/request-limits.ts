import type { FaultSettings } from './emulator-options.js';
import { NetSuiteError } from './netsuite-error.js';

// The account's governance: one concurrency limit shared by every request in flight, and an optional
// requests-per-second limit. Both answer 429 with no Retry-After, as NetSuite does (ERP-APIS.md marks
// the missing header unconfirmed); a client must back off on its own.

export function concurrencyExceeded(): NetSuiteError {
  return new NetSuiteError(429, 'CONCURRENCY_LIMIT_EXCEEDED', 'Concurrent request limit exceeded. Request blocked.');
}

export function rateExceeded(): NetSuiteError {
  return new NetSuiteError(429, 'REQUEST_LIMIT_EXCEEDED', 'Request rate limit exceeded. Request blocked.');
}

/** The refusals a vendor answers past each limit (the emulator's own error shapes). */
export interface LimitRefusals {
  concurrency(): Error;
  rate(): Error;
}

export class RequestLimits {
  private inFlight = 0;
  /** Arrival times (ms) within the last second, oldest first. */
  private readonly arrivals: number[] = [];

  constructor(
    private readonly faults: () => Pick<FaultSettings, 'concurrency' | 'ratePerSecond'>,
    private readonly now: () => number,
    private readonly refusals: LimitRefusals = { concurrency: concurrencyExceeded, rate: rateExceeded },
  ) {}

  /** Admits a request or throws 429; an admitted request must call the returned release once. */
  admit(): () => void {
    const { concurrency, ratePerSecond } = this.faults();
    const now = this.now();
    while (this.arrivals.length > 0 && this.arrivals[0]! <= now - 1000) this.arrivals.shift();
    if (ratePerSecond !== undefined && this.arrivals.length >= ratePerSecond) throw this.refusals.rate();
    if (this.inFlight >= concurrency) throw this.refusals.concurrency();
    this.arrivals.push(now);
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
  }

  /** What `GET system/v1/governanceLimits` reports. */
  governance(): Record<string, number> {
    const { concurrency } = this.faults();
    return { accountConcurrencyLimit: concurrency, accountUnallocatedConcurrencyLimit: concurrency };
  }
}
