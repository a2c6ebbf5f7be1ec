// Requests counted by how they ended, so a test can assert what its client went through (429s, replays,
// drops, injected errors) without parsing logs; and the last requests themselves, parameters included,
// so a test can check what a client sent.

export type Outcome =
  | 'ok'
  | 'replayed'
  | 'clientError'
  | 'unauthorized'
  | 'idempotencyMismatch'
  | 'keyInUse'
  | 'rateLimited'
  | 'concurrencyLimited'
  | 'lockTimeout'
  | 'injectedError'
  | 'storedError'
  | 'outage'
  | 'refused'
  | 'droppedAfterCommit'
  | 'slowed'
  | 'serverError';

const OUTCOMES: readonly Outcome[] = [
  'ok',
  'replayed',
  'clientError',
  'unauthorized',
  'idempotencyMismatch',
  'keyInUse',
  'rateLimited',
  'concurrencyLimited',
  'lockTimeout',
  'injectedError',
  'storedError',
  'outage',
  'refused',
  'droppedAfterCommit',
  'slowed',
  'serverError',
];

export interface EmulatorStats {
  /** Requests to /v1 and /v2, whatever their outcome. */
  requests: number;
  outcomes: Record<Outcome, number>;
}

/** One request as the emulator saw it. */
export interface LoggedRequest {
  method: string;
  path: string;
  /** Form or query parameters (v1) as plain objects of text, or the JSON body (v2). */
  params: unknown;
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  stripeVersion: string | undefined;
  /** Undefined while in flight, or when the connection was dropped. */
  status?: number;
  replayed?: boolean;
}

const MAX_LOGGED = 1000;

export class StatsCounter {
  private value: EmulatorStats = { requests: 0, outcomes: zero() };
  private log: LoggedRequest[] = [];

  request(entry?: LoggedRequest): void {
    this.value.requests += 1;
    if (entry === undefined) return;
    this.log.push(entry);
    if (this.log.length > MAX_LOGGED) this.log.shift();
  }

  count(outcome: Outcome): void {
    this.value.outcomes[outcome] += 1;
  }

  /** The outcome of an answered request, from its status and Stripe's code. */
  countStatus(status: number, code?: string, type?: string): void {
    if (status < 400) this.count('ok');
    else if (status === 401) this.count('unauthorized');
    else if (status === 409) this.count('keyInUse');
    else if (status === 429)
      this.count(
        code === 'lock_timeout' ? 'lockTimeout' : code === 'rate_limit' ? 'rateLimited' : 'concurrencyLimited',
      );
    else if (type === 'idempotency_error') this.count('idempotencyMismatch');
    else if (status < 500) this.count('clientError');
    else this.count('serverError');
  }

  snapshot(): EmulatorStats {
    return { requests: this.value.requests, outcomes: { ...this.value.outcomes } };
  }

  requests(): LoggedRequest[] {
    return this.log.map((entry) => ({ ...entry }));
  }

  reset(): void {
    this.value = { requests: 0, outcomes: zero() };
    this.log = [];
  }
}

function zero(): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>;
}
