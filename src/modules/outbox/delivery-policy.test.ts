import { describe, expect, it } from 'vitest';
import type { TargetState } from './target-repository.js';
import {
  afterFailure,
  afterSuccess,
  afterTargetFailure,
  BREAKER_COOLDOWN_MS,
  BREAKER_THRESHOLD,
  claimCapacity,
  fairShare,
  noteWaiting,
  RATE_CUT_MAX,
  RATE_CUT_MIN,
  RATE_FLOOR,
  RATE_STEP_PER_SUCCESS,
  RECOVER_AFTER_SUCCESSES,
  reserveSlots,
  THROTTLE_WINDOW_MS,
  WAITING_WINDOW_MS,
} from './delivery-policy.js';

const now = new Date('2026-11-01T00:00:00Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const limits = { requestsPerSecond: 4, concurrency: 8 };
const state: TargetState = {
  targetKey: 't',
  nextSlotAt: now,
  concurrencyCap: 8,
  successesSinceBackoff: 0,
  breaker: 'closed',
  consecutiveFailures: 0,
  breakerUntil: null,
  requestRate: null,
  throttledAt: null,
  acceptedSinceCut: 0,
  refusedSinceCut: 0,
  waitingClaimer: null,
  waitingSince: null,
};

describe('the delivery policy', () => {
  it('backs off with full jitter: a random wait up to base·2^(attempt−1), capped at the class ceiling', () => {
    expect(afterFailure('unavailable', 1, now, now, undefined, () => 0.999).nextAttemptAt).toEqual(at(999));
    expect(afterFailure('unavailable', 4, now, now, undefined, () => 0.5).nextAttemptAt).toEqual(at(4000));
    expect(afterFailure('unavailable', 40, now, now, undefined, () => 0.999).nextAttemptAt).toEqual(at(299_700));
    expect(afterFailure('unavailable', 3, now, now, undefined, () => 0).nextAttemptAt).toEqual(now);
  });

  it("waits at least the target's Retry-After", () => {
    expect(afterFailure('throttled', 1, now, now, 30_000, () => 0.5)).toEqual({
      status: 'retrying',
      nextAttemptAt: at(30_000),
      needsLookup: false,
    });
  });

  it('reads back before retrying an unknown outcome', () => {
    expect(afterFailure('unknown_outcome', 1, now, now, undefined, () => 0).needsLookup).toBe(true);
  });

  it('dead-letters an invalid posting at once and the others when their class’s time is up', () => {
    expect(afterFailure('invalid', 1, now, now, undefined).status).toBe('dead');
    expect(afterFailure('unavailable', 9, now, at(72 * 3_600_000 - 1), undefined).status).toBe('retrying');
    expect(afterFailure('unavailable', 9, now, at(72 * 3_600_000), undefined).status).toBe('dead');
    expect(afterFailure('auth', 9, now, at(72 * 3_600_000), undefined).status).toBe('dead');
  });

  it('spaces sends one slot per 1/rps, shared through the target state', () => {
    const first = reserveSlots(state, 3, limits, now);
    expect(first.sendAt).toEqual([now, at(250), at(500)]);
    expect(reserveSlots(first.state, 1, limits, now).sendAt).toEqual([at(750)]);
    expect(reserveSlots(first.state, 1, limits, at(10_000)).sendAt).toEqual([at(10_000)]);
  });

  it('halves the cap on throttling and holds every send until Retry-After; grows it back after a run of successes', () => {
    const throttled = afterTargetFailure(state, 'throttled', now, limits, { retryAfterMs: 5000 });
    expect(throttled).toMatchObject({ concurrencyCap: 4, nextSlotAt: at(5000) });
    expect(afterTargetFailure({ ...state, concurrencyCap: 1 }, 'throttled', now, limits).concurrencyCap).toBe(1);
    let recovering = throttled;
    for (let i = 0; i < RECOVER_AFTER_SUCCESSES; i += 1) recovering = afterSuccess(recovering, limits);
    expect(recovering.concurrencyCap).toBe(5);
    expect(afterSuccess({ ...state, successesSinceBackoff: 99 }, limits).concurrencyCap).toBe(8);
  });

  it('cuts what the target says it limits, once per window: the rate for a rate limit, the cap for concurrency', () => {
    const fast = { requestsPerSecond: 100, concurrency: 8 };
    // 99 requests accepted since the last cut, one refused: a stray 429 costs the smallest cut.
    const stray = afterTargetFailure({ ...state, acceptedSinceCut: 99 }, 'throttled', now, fast, {
      throttledOn: 'rate',
    });
    expect(stray).toMatchObject({ concurrencyCap: 8, requestRate: 100 * RATE_CUT_MAX, throttledAt: now });
    expect(stray).toMatchObject({ acceptedSinceCut: 0, refusedSinceCut: 0 });
    expect(reserveSlots(stray, 2, fast, now).sendAt).toEqual([now, at(1000 / (100 * RATE_CUT_MAX))]);
    // The 429s of requests sent before the first came back are counted, but cut nothing in the window.
    let current = stray;
    for (let i = 0; i < 40; i += 1) current = afterSuccess(current, fast);
    for (let i = 0; i < 20; i += 1)
      current = afterTargetFailure(current, 'throttled', at(THROTTLE_WINDOW_MS - 1), fast, { throttledOn: 'rate' });
    expect(current.requestRate).toBeCloseTo(stray.requestRate! + 40 * RATE_STEP_PER_SUCCESS, 9);
    expect(current).toMatchObject({ acceptedSinceCut: 40, refusedSinceCut: 20, throttledAt: now });
    // The next cut keeps the share accepted since the previous one: 40 of the 61 answered.
    const rate = current.requestRate!;
    current = afterTargetFailure(current, 'throttled', at(THROTTLE_WINDOW_MS), fast, { throttledOn: 'rate' });
    expect(current.requestRate).toBeCloseTo((rate * 40) / 61, 9);
    // A target refusing nearly everything halves the rate, no more, and never below the floor.
    const refusing = afterTargetFailure({ ...state, refusedSinceCut: 50 }, 'throttled', now, fast, {});
    expect(refusing).toMatchObject({ concurrencyCap: 4, requestRate: 100 * RATE_CUT_MIN });
    let floor = state;
    for (let i = 0; i < 100; i += 1)
      floor = afterTargetFailure(floor, 'throttled', at(i * THROTTLE_WINDOW_MS), fast, { throttledOn: 'rate' });
    expect(floor.requestRate).toBe(100 * RATE_FLOOR);
    const onConcurrency = afterTargetFailure(state, 'throttled', now, fast, { throttledOn: 'concurrency' });
    expect(onConcurrency).toMatchObject({ concurrencyCap: 4, requestRate: null });
  });

  it('raises a cut rate one step per success, back to the configured limit and no further', () => {
    const fast = { requestsPerSecond: 100, concurrency: 8 };
    let current = afterTargetFailure(state, 'throttled', now, fast, { throttledOn: 'rate' });
    const cut = current.requestRate!;
    current = afterSuccess(current, fast);
    expect(current.requestRate).toBeCloseTo(cut + RATE_STEP_PER_SUCCESS, 9);
    for (let i = 0; i < 2000; i += 1) current = afterSuccess(current, fast);
    expect(current.requestRate).toBeNull();
    expect(reserveSlots({ ...state, requestRate: 500 }, 2, fast, now).sendAt).toEqual([now, at(10)]);
  });

  it('leaves a place for another dispatcher that found the cap full, while it waits', () => {
    const waitedB = noteWaiting(state, 'B', false, now);
    expect(waitedB).toMatchObject({ waitingClaimer: 'B', waitingSince: now });
    // A holds claims: it takes one place fewer while B waits, and all of them once B's wait is old.
    expect(fairShare(waitedB, 3, 'A', 2, at(10))).toBe(2);
    expect(fairShare(waitedB, 1, 'A', 2, at(10))).toBe(0);
    expect(fairShare(waitedB, 3, 'A', 2, at(WAITING_WINDOW_MS))).toBe(3);
    // A process holding nothing, and the waiting one itself, take what there is.
    expect(fairShare(waitedB, 3, 'A', 0, at(10))).toBe(3);
    expect(fairShare(waitedB, 3, 'B', 1, at(10))).toBe(3);
    // B got a place: no longer waiting; someone else getting one leaves B's note alone.
    expect(noteWaiting(waitedB, 'B', true, at(10))).toMatchObject({ waitingClaimer: null, waitingSince: null });
    expect(noteWaiting(waitedB, 'A', true, at(10))).toEqual(waitedB);
  });

  it('opens the breaker after consecutive outage failures, probes once after the cooldown, reopens on a failed probe', () => {
    let current = state;
    for (let i = 0; i < BREAKER_THRESHOLD - 1; i += 1)
      current = afterTargetFailure(current, 'unavailable', now, limits);
    expect(current.breaker).toBe('closed');
    expect(afterTargetFailure(current, 'invalid', now, limits)).toEqual(current);
    current = afterTargetFailure(current, 'unknown_outcome', now, limits);
    expect(current).toMatchObject({ breaker: 'open', breakerUntil: at(BREAKER_COOLDOWN_MS) });
    expect(claimCapacity(current, 0, at(BREAKER_COOLDOWN_MS - 1)).capacity).toBe(0);
    const probing = claimCapacity(current, 0, at(BREAKER_COOLDOWN_MS));
    expect(probing).toMatchObject({ capacity: 1, state: { breaker: 'half_open' } });
    expect(claimCapacity(probing.state, 1, at(BREAKER_COOLDOWN_MS)).capacity).toBe(0);
    expect(afterTargetFailure(probing.state, 'unavailable', at(BREAKER_COOLDOWN_MS), limits).breaker).toBe('open');
    expect(afterSuccess(probing.state, limits)).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    expect(claimCapacity(state, 3, now).capacity).toBe(5);
  });
});
