// Requests counted by how they ended, so a test can assert what its client went through (how many
// 429s, drops, injected errors) without parsing logs.

export type Outcome =
  | 'ok'
  | 'clientError'
  | 'unauthorized'
  | 'rateLimited'
  | 'concurrencyLimited'
  | 'injectedError'
  | 'outage'
  | 'refused'
  | 'droppedAfterCommit'
  | 'slowed'
  | 'serverError';

export interface EmulatorStats {
  /** Requests to the API (`/v2.0/...`), whatever their outcome; token requests are not counted. */
  requests: number;
  /** Token requests, issued or refused. */
  tokenRequests: number;
  outcomes: Record<Outcome, number>;
}

const zero = (): Record<Outcome, number> => ({
  ok: 0,
  clientError: 0,
  unauthorized: 0,
  rateLimited: 0,
  concurrencyLimited: 0,
  injectedError: 0,
  outage: 0,
  refused: 0,
  droppedAfterCommit: 0,
  slowed: 0,
  serverError: 0,
});

export class StatsCounter {
  private value: EmulatorStats = { requests: 0, tokenRequests: 0, outcomes: zero() };

  request(): void {
    this.value.requests += 1;
  }

  tokenRequest(): void {
    this.value.tokenRequests += 1;
  }

  count(outcome: Outcome): void {
    this.value.outcomes[outcome] += 1;
  }

  /** The outcome of an answered request, from its status. */
  countStatus(status: number): void {
    if (status < 400) this.count('ok');
    else if (status === 401) this.count('unauthorized');
    else if (status < 500) this.count('clientError');
    else this.count('serverError');
  }

  snapshot(): EmulatorStats {
    return { ...this.value, outcomes: { ...this.value.outcomes } };
  }

  reset(): void {
    this.value = { requests: 0, tokenRequests: 0, outcomes: zero() };
  }
}
