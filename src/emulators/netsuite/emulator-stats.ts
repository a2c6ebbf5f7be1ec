import { OutcomeCounter, type Outcome } from '../common/outcome-counter.js';

// The NetSuite emulator's counts: the outcomes every emulator counts, with NetSuite's 429s told apart
// by their code (the request rate or the account's concurrency).

export type { Outcome };

export interface EmulatorStats {
  /** Requests to /services/rest, whatever their outcome. */
  requests: number;
  outcomes: Record<Outcome, number>;
}

export class StatsCounter extends OutcomeCounter {
  override countStatus(status: number, code?: string): void {
    if (status === 429) this.count(code === 'REQUEST_LIMIT_EXCEEDED' ? 'rateLimited' : 'concurrencyLimited');
    else super.countStatus(status);
  }

  snapshot(): EmulatorStats {
    return this.counts();
  }
}
