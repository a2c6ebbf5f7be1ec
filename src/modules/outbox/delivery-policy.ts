import type { FailureClass, TargetLimits } from '../connectors/index.js';
import type { TargetState } from './target-repository.js';

// The one retry, backoff, dead-letter, rate and breaker policy of every delivery. Connectors only
// classify failures; what each class means happens here, and nowhere else.

interface ClassRule {
  /** How long a posting keeps trying after its first attempt before it goes to the dead-letter queue. */
  maxAgeMs: number;
  /** Longest wait between two attempts (the exponential backoff's ceiling). */
  maxDelayMs: number;
  /** Counts toward opening the target's circuit breaker. */
  trips: boolean;
}

const HOUR = 3_600_000;
const BASE_DELAY_MS = 1000;

/**
 * Throttling and outages are waited out for three days (a long weekend's outage); a lost answer is read
 * back before the retry; an invalid document goes to a person at once; missing or refused credentials
 * wait for someone to fix the secret, slowly.
 */
export const FAILURE_RULES: Readonly<Record<FailureClass, ClassRule>> = {
  throttled: { maxAgeMs: 72 * HOUR, maxDelayMs: 5 * 60_000, trips: false },
  unavailable: { maxAgeMs: 72 * HOUR, maxDelayMs: 5 * 60_000, trips: true },
  unknown_outcome: { maxAgeMs: 72 * HOUR, maxDelayMs: 5 * 60_000, trips: true },
  invalid: { maxAgeMs: 0, maxDelayMs: 0, trips: false },
  auth: { maxAgeMs: 72 * HOUR, maxDelayMs: 15 * 60_000, trips: false },
};

/** Consecutive outage failures that open a target's breaker, and how long it stays open before a probe. */
export const BREAKER_THRESHOLD = 5;
export const BREAKER_COOLDOWN_MS = 30_000;
/** Successes in a row after which a throttled target's concurrency cap grows back by one. */
export const RECOVER_AFTER_SUCCESSES = 20;

export interface FailureOutcome {
  status: 'retrying' | 'dead';
  nextAttemptAt: Date;
  needsLookup: boolean;
}

/**
 * What becomes of a posting after a failed attempt: retried after an exponential backoff with full
 * jitter (a random wait up to base·2^(attempt−1), capped) or the target's Retry-After if longer, or dead
 * once its class's time is up.
 */
export function afterFailure(
  failureClass: FailureClass,
  attempt: number,
  firstAttemptAt: Date,
  now: Date,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): FailureOutcome {
  const rule = FAILURE_RULES[failureClass];
  const needsLookup = failureClass === 'unknown_outcome';
  if (now.getTime() - firstAttemptAt.getTime() >= rule.maxAgeMs)
    return { status: 'dead', nextAttemptAt: now, needsLookup };
  const ceiling = Math.min(rule.maxDelayMs, BASE_DELAY_MS * 2 ** Math.min(attempt - 1, 30));
  const delay = Math.max(Math.floor(random() * ceiling), retryAfterMs ?? 0);
  return { status: 'retrying', nextAttemptAt: new Date(now.getTime() + delay), needsLookup };
}

/**
 * How many postings may be claimed now: none while the breaker is open; one probe once its cooldown is
 * over (the breaker is then half open, and stays so until the probe settles); otherwise the cap less
 * what is in flight.
 */
export function claimCapacity(
  state: TargetState,
  inFlight: number,
  now: Date,
): { capacity: number; state: TargetState } {
  if (state.breaker === 'open') {
    if (state.breakerUntil && state.breakerUntil > now) return { capacity: 0, state };
    return { capacity: inFlight === 0 ? 1 : 0, state: { ...state, breaker: 'half_open' } };
  }
  if (state.breaker === 'half_open') return { capacity: inFlight === 0 ? 1 : 0, state };
  return { capacity: Math.max(0, state.concurrencyCap - inFlight), state };
}

/** When each of `count` claimed postings may be sent: one slot per 1/rps, never before `now`. */
export function reserveSlots(
  state: TargetState,
  count: number,
  limits: TargetLimits,
  now: Date,
): { sendAt: Date[]; state: TargetState } {
  const spacing = 1000 / limits.requestsPerSecond;
  let next = Math.max(now.getTime(), state.nextSlotAt.getTime());
  const sendAt: Date[] = [];
  for (let i = 0; i < count; i += 1) {
    sendAt.push(new Date(next));
    next += spacing;
  }
  return { sendAt, state: { ...state, nextSlotAt: new Date(next) } };
}

/** A delivery succeeded: the breaker closes, and a throttled cap grows back one step per run of successes. */
export function afterSuccess(state: TargetState, limits: TargetLimits): TargetState {
  const successes = state.successesSinceBackoff + 1;
  const grow = state.concurrencyCap < limits.concurrency && successes >= RECOVER_AFTER_SUCCESSES;
  return {
    ...state,
    breaker: 'closed',
    breakerUntil: null,
    consecutiveFailures: 0,
    concurrencyCap: grow ? state.concurrencyCap + 1 : state.concurrencyCap,
    successesSinceBackoff: grow ? 0 : successes,
  };
}

/**
 * A delivery failed. Throttling halves the cap (never below one) and holds every process's next send until
 * the target's Retry-After; outage failures in a row open the breaker, and a failed probe opens it again.
 */
export function afterTargetFailure(
  state: TargetState,
  failureClass: FailureClass,
  now: Date,
  retryAfterMs: number | undefined,
): TargetState {
  if (failureClass === 'throttled') {
    const hold = new Date(now.getTime() + (retryAfterMs ?? 0));
    return {
      ...state,
      concurrencyCap: Math.max(1, Math.floor(state.concurrencyCap / 2)),
      successesSinceBackoff: 0,
      nextSlotAt: hold > state.nextSlotAt ? hold : state.nextSlotAt,
      breaker: state.breaker === 'half_open' ? 'closed' : state.breaker,
    };
  }
  if (!FAILURE_RULES[failureClass].trips) return state;
  const failures = state.consecutiveFailures + 1;
  const open = state.breaker === 'half_open' || failures >= BREAKER_THRESHOLD;
  return {
    ...state,
    consecutiveFailures: failures,
    breaker: open ? 'open' : state.breaker,
    breakerUntil: open ? new Date(now.getTime() + BREAKER_COOLDOWN_MS) : state.breakerUntil,
  };
}
