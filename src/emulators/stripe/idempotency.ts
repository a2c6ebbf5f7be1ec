import { StripeApiError } from './stripe-error.js';

// Stripe's idempotent requests. A POST with an `Idempotency-Key` saves the answer of the first request
// that began executing (success, or a 500 from inside Stripe); a later request with the key and the same
// endpoint and parameters gets that answer again, with `Idempotent-Replayed: true`. The same key with
// another endpoint or other parameters is a 400 `idempotency_error`; while the first is still in flight
// a second answers 409 `idempotency_key_in_use`. A refusal before execution (validation, rate limit,
// lock timeout, an outage) saves nothing, so the key is free again. Keys are kept `retentionMs`
// (Stripe: at least 24 hours) on the emulator's clock, per mode (test or live keys).

export const MAX_KEY_LENGTH = 255;

export interface SavedAnswer {
  status: number;
  body: unknown;
  headers: Record<string, string>;
  /** The request id of the request that executed. */
  requestId: string;
}

interface Entry {
  endpoint: string;
  fingerprint: string;
  createdMs: number;
  answer: SavedAnswer | undefined;
}

export type Claim =
  { kind: 'replay'; answer: SavedAnswer } | { kind: 'fresh'; save(answer: SavedAnswer): void; release(): void };

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly retentionMs: number,
    private readonly now: () => number,
  ) {}

  private prune(): void {
    const oldest = this.now() - this.retentionMs;
    for (const [key, entry] of this.entries)
      if (entry.answer !== undefined && entry.createdMs <= oldest) this.entries.delete(key);
  }

  /**
   * Claims `key` for a request to `endpoint` with parameters `fingerprint`: the saved answer to replay,
   * or the right to execute (then exactly one of save and release); throws the 400 or 409.
   */
  claim(scope: string, key: string, endpoint: string, fingerprint: string): Claim {
    if (key.length > MAX_KEY_LENGTH)
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `Idempotency keys can be at most ${MAX_KEY_LENGTH} characters long, but the key sent is ${key.length}.`,
      );
    this.prune();
    const id = `${scope}\u0000${key}`;
    const entry = this.entries.get(id);
    if (entry !== undefined) {
      if (entry.answer === undefined)
        throw new StripeApiError(
          409,
          'invalid_request_error',
          `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
          { code: 'idempotency_key_in_use', headers: { 'stripe-should-retry': 'true' } },
        );
      if (entry.endpoint !== endpoint)
        throw new StripeApiError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${entry.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      if (entry.fingerprint !== fingerprint)
        throw new StripeApiError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        );
      return { kind: 'replay', answer: entry.answer };
    }
    const fresh: Entry = { endpoint, fingerprint, createdMs: this.now(), answer: undefined };
    this.entries.set(id, fresh);
    let settled = false;
    return {
      kind: 'fresh',
      save: (answer) => {
        if (settled) return;
        settled = true;
        fresh.answer = answer;
        fresh.createdMs = this.now();
      },
      release: () => {
        if (settled) return;
        settled = true;
        this.entries.delete(id);
      },
    };
  }

  /** Keys holding an answer (for the admin endpoint). */
  size(): number {
    this.prune();
    return [...this.entries.values()].filter((entry) => entry.answer !== undefined).length;
  }

  clear(): void {
    this.entries.clear();
  }
}
