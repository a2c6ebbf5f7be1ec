// The account-wide limits most vendors put before any work: requests in flight at once and requests
// in a sliding window (a second for most, minutes for some). Each emulator answers a refusal in its
// vendor's own shape (`refusals`). Refused requests do not count toward the window.

export interface Limits {
  concurrency: number;
  /** Requests admitted per window; undefined for no limit. */
  windowRequests: number | undefined;
  windowMs: number;
}

/** The limits of fault settings that count requests per second. */
export const perSecond = (settings: { concurrency: number; ratePerSecond: number | undefined }): Limits => ({
  concurrency: settings.concurrency,
  windowRequests: settings.ratePerSecond,
  windowMs: 1000,
});

/** The errors thrown past each limit, given the count the request would have made (the emulator's own shapes). */
export interface LimitRefusals {
  concurrency(actual: number): Error;
  rate(actual: number): Error;
}

export class AdmissionLimits {
  private inFlight = 0;
  /** Arrival times (ms) within the window, oldest first. */
  private readonly arrivals: number[] = [];

  constructor(
    protected readonly limits: () => Limits,
    private readonly now: () => number,
    private readonly refusals: LimitRefusals,
  ) {}

  /** Forgets past arrivals (a reset); requests in flight still count until they end. */
  forgetArrivals(): void {
    this.arrivals.length = 0;
  }

  /** Admits a request or throws the vendor's 429; an admitted request must call the returned release once. */
  admit(): () => void {
    const { concurrency, windowRequests, windowMs } = this.limits();
    const now = this.now();
    while (this.arrivals.length > 0 && this.arrivals[0]! <= now - windowMs) this.arrivals.shift();
    if (windowRequests !== undefined && this.arrivals.length >= windowRequests)
      throw this.refusals.rate(this.arrivals.length + 1);
    if (this.inFlight >= concurrency) throw this.refusals.concurrency(this.inFlight + 1);
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
