// Requests counted by how they ended, so a test can assert what its client went through (how many
// 429s, drops, injected errors) without parsing logs. Every emulator counts the same outcomes the same
// way; what else a vendor counts (token requests, postings) is added by its own counter.

export const OUTCOMES = [
  'ok',
  'clientError',
  'unauthorized',
  'concurrencyLimited',
  'rateLimited',
  'injectedError',
  'outage',
  'refused',
  'droppedAfterCommit',
  'slowed',
  'serverError',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

const zero = () => Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>;

export class OutcomeCounter {
  private requests = 0;
  private outcomes = zero();

  request(): void {
    this.requests += 1;
  }

  count(outcome: Outcome): void {
    this.outcomes[outcome] += 1;
  }

  /** The outcome of an answered request, from its status (a 429 is counted by the limit that refused it). */
  countStatus(status: number): void {
    if (status < 400) this.count('ok');
    else if (status === 401) this.count('unauthorized');
    else if (status < 500) this.count('clientError');
    else this.count('serverError');
  }

  /** A copy of the counts so far. */
  protected counts(): { requests: number; outcomes: Record<Outcome, number> } {
    return { requests: this.requests, outcomes: { ...this.outcomes } };
  }

  reset(): void {
    this.requests = 0;
    this.outcomes = zero();
  }
}
