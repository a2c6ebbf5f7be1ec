import type { FailureClass, FailureDetail, TargetLimits } from '../connectors/index.js';
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
/**
 * Throttling lowers the cap and the rate at most once per window: the 429s of requests sent before the
 * first one came back say little new (TCP cuts its window once per round trip for the same reason).
 */
export const THROTTLE_WINDOW_MS = 1000;
/**
 * A cut keeps the share of requests the target accepted since the previous cut, between these bounds: a
 * stray 429 (a send a few milliseconds early at exactly the limit) costs a twentieth, a target refusing
 * half of what it is sent halves the rate at once.
 */
export const RATE_CUT_MIN = 0.5;
export const RATE_CUT_MAX = 0.95;
/** A cut rate never falls below this share of the configured limit. */
export const RATE_FLOOR = 0.05;
/**
 * Each success raises a cut rate by this many requests per second: about a twentieth of the rate per
 * second of successes at any rate, so the rate climbs back from a small cut within a second and probes
 * the target's limit again, slowly enough that few requests go over it.
 */
export const RATE_STEP_PER_SUCCESS = 0.05;

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

/** How long a dispatcher that found a target's cap full counts as waiting for a place. */
export const WAITING_WINDOW_MS = 1000;

/**
 * The share of `capacity` a dispatcher takes, fairly: while another one found the cap full within the
 * window, a dispatcher already holding claims on the target leaves it one place (a process that
 * reclaimed every freed place at once would otherwise keep a busy target to itself).
 */
export function fairShare(state: TargetState, capacity: number, claimer: string, holding: number, now: Date): number {
  const waiting =
    state.waitingClaimer !== null &&
    state.waitingClaimer !== claimer &&
    state.waitingSince !== null &&
    now.getTime() - state.waitingSince.getTime() < WAITING_WINDOW_MS;
  return waiting && holding > 0 ? Math.max(0, capacity - 1) : capacity;
}

/** After a claim: a dispatcher that found no place is noted as waiting; the waiting one that got a place no longer is. */
export function noteWaiting(state: TargetState, claimer: string, gotPlace: boolean, now: Date): TargetState {
  if (!gotPlace) return { ...state, waitingClaimer: claimer, waitingSince: now };
  return state.waitingClaimer === claimer ? { ...state, waitingClaimer: null, waitingSince: null } : state;
}

/** The rate the target is sent at now: the configured limit, or less while it recovers from throttling. */
export function currentRate(state: TargetState, limits: TargetLimits): number {
  return Math.min(state.requestRate ?? limits.requestsPerSecond, limits.requestsPerSecond);
}

/** When each of `count` claimed postings may be sent: one slot per 1/rate, never before `now`. */
export function reserveSlots(
  state: TargetState,
  count: number,
  limits: TargetLimits,
  now: Date,
): { sendAt: Date[]; state: TargetState } {
  const spacing = 1000 / currentRate(state, limits);
  let next = Math.max(now.getTime(), state.nextSlotAt.getTime());
  const sendAt: Date[] = [];
  for (let i = 0; i < count; i += 1) {
    sendAt.push(new Date(next));
    next += spacing;
  }
  return { sendAt, state: { ...state, nextSlotAt: new Date(next) } };
}

/** The rate after a cut: what it was, less the share of requests refused since the previous cut, bounded. */
function cutRate(state: TargetState, limits: TargetLimits): number {
  const answered = state.acceptedSinceCut + state.refusedSinceCut;
  const kept = answered === 0 ? RATE_CUT_MIN : state.acceptedSinceCut / answered;
  const factor = Math.min(RATE_CUT_MAX, Math.max(RATE_CUT_MIN, kept));
  return Math.max(currentRate(state, limits) * factor, limits.requestsPerSecond * RATE_FLOOR);
}

/**
 * A delivery succeeded: the breaker closes, a throttled cap grows back one step per run of successes, and
 * a lowered rate one step per success (null again once it is back at the limit).
 */
export function afterSuccess(state: TargetState, limits: TargetLimits): TargetState {
  const successes = state.successesSinceBackoff + 1;
  const grow = state.concurrencyCap < limits.concurrency && successes >= RECOVER_AFTER_SUCCESSES;
  const rate = state.requestRate === null ? null : state.requestRate + RATE_STEP_PER_SUCCESS;
  return {
    ...state,
    acceptedSinceCut: state.acceptedSinceCut + 1,
    requestRate: rate === null || rate >= limits.requestsPerSecond ? null : rate,
    breaker: 'closed',
    breakerUntil: null,
    consecutiveFailures: 0,
    concurrencyCap: grow ? state.concurrencyCap + 1 : state.concurrencyCap,
    successesSinceBackoff: grow ? 0 : successes,
  };
}

/**
 * A delivery failed. Throttling holds every process's next send until the target's Retry-After and, once
 * per window, cuts what the target said it limits: the cap is halved (never below one) for a concurrency
 * limit, the rate cut by the share refused since the last cut for a rate limit, both when the target does
 * not say. Outage failures in a row open the breaker, and a failed probe opens it again.
 */
export function afterTargetFailure(
  state: TargetState,
  failureClass: FailureClass,
  now: Date,
  limits: TargetLimits,
  { retryAfterMs, throttledOn }: Pick<FailureDetail, 'retryAfterMs' | 'throttledOn'> = {},
): TargetState {
  if (failureClass === 'throttled') {
    const hold = retryAfterMs === undefined ? state.nextSlotAt : new Date(now.getTime() + retryAfterMs);
    const held = {
      ...state,
      nextSlotAt: hold > state.nextSlotAt ? hold : state.nextSlotAt,
      breaker: state.breaker === 'half_open' ? ('closed' as const) : state.breaker,
      refusedSinceCut: state.refusedSinceCut + 1,
    };
    if (state.throttledAt && now.getTime() - state.throttledAt.getTime() < THROTTLE_WINDOW_MS) return held;
    return {
      ...held,
      throttledAt: now,
      successesSinceBackoff: 0,
      acceptedSinceCut: 0,
      refusedSinceCut: 0,
      concurrencyCap: throttledOn === 'rate' ? state.concurrencyCap : Math.max(1, Math.floor(state.concurrencyCap / 2)),
      requestRate: throttledOn === 'concurrency' ? state.requestRate : cutRate(held, limits),
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
