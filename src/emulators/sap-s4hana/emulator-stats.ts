// Requests counted by how they ended, so a test can assert what its client went through (how many 429s,
// drops, injected errors, postings refused in the log) without parsing logs.

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

export interface EmulatorStats {
  /** Requests to SAP's paths (SOAP and OData), whatever their outcome. */
  requests: number;
  outcomes: Record<Outcome, number>;
  /** Journal entries posted, and refused with errors in their confirmation's log (HTTP 200 both). */
  postings: { posted: number; refused: number };
}

const zero = (): EmulatorStats => ({
  requests: 0,
  outcomes: Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>,
  postings: { posted: 0, refused: 0 },
});

export class StatsCounter {
  private value = zero();

  request(): void {
    this.value.requests += 1;
  }

  count(outcome: Outcome): void {
    this.value.outcomes[outcome] += 1;
  }

  posting(posted: boolean): void {
    this.value.postings[posted ? 'posted' : 'refused'] += 1;
  }

  /** The outcome of an answered request, from its status. */
  countStatus(status: number): void {
    if (status < 400) this.count('ok');
    else if (status === 401) this.count('unauthorized');
    else if (status < 500) this.count('clientError');
    else this.count('serverError');
  }

  snapshot(): EmulatorStats {
    return {
      requests: this.value.requests,
      outcomes: { ...this.value.outcomes },
      postings: { ...this.value.postings },
    };
  }

  reset(): void {
    this.value = zero();
  }
}
