import { OutcomeCounter, type Outcome } from '../common/outcome-counter.js';

// The Business Central emulator's counts: the outcomes every emulator counts, and the token requests
// its Entra ID endpoint answered.

export type { Outcome };

export interface EmulatorStats {
  /** Requests to the API (`/v2.0/...`), whatever their outcome; token requests are not counted. */
  requests: number;
  /** Token requests, issued or refused. */
  tokenRequests: number;
  outcomes: Record<Outcome, number>;
}

export class StatsCounter extends OutcomeCounter {
  private tokenRequests = 0;

  tokenRequest(): void {
    this.tokenRequests += 1;
  }

  snapshot(): EmulatorStats {
    const { requests, outcomes } = this.counts();
    return { requests, tokenRequests: this.tokenRequests, outcomes };
  }

  override reset(): void {
    super.reset();
    this.tokenRequests = 0;
  }
}
