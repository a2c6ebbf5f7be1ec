import { describe, expect, it } from 'vitest';
import type { TargetState } from './target-repository.js';
import {
  afterFailure,
  afterSuccess,
  afterTargetFailure,
  BREAKER_COOLDOWN_MS,
  BREAKER_THRESHOLD,
  claimCapacity,
  RECOVER_AFTER_SUCCESSES,
  reserveSlots,
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
    const throttled = afterTargetFailure(state, 'throttled', now, 5000);
    expect(throttled).toMatchObject({ concurrencyCap: 4, nextSlotAt: at(5000) });
    expect(afterTargetFailure({ ...state, concurrencyCap: 1 }, 'throttled', now, undefined).concurrencyCap).toBe(1);
    let recovering = throttled;
    for (let i = 0; i < RECOVER_AFTER_SUCCESSES; i += 1) recovering = afterSuccess(recovering, limits);
    expect(recovering.concurrencyCap).toBe(5);
    expect(afterSuccess({ ...state, successesSinceBackoff: 99 }, limits).concurrencyCap).toBe(8);
  });

  it('opens the breaker after consecutive outage failures, probes once after the cooldown, reopens on a failed probe', () => {
    let current = state;
    for (let i = 0; i < BREAKER_THRESHOLD - 1; i += 1)
      current = afterTargetFailure(current, 'unavailable', now, undefined);
    expect(current.breaker).toBe('closed');
    expect(afterTargetFailure(current, 'invalid', now, undefined)).toEqual(current);
    current = afterTargetFailure(current, 'unknown_outcome', now, undefined);
    expect(current).toMatchObject({ breaker: 'open', breakerUntil: at(BREAKER_COOLDOWN_MS) });
    expect(claimCapacity(current, 0, at(BREAKER_COOLDOWN_MS - 1)).capacity).toBe(0);
    const probing = claimCapacity(current, 0, at(BREAKER_COOLDOWN_MS));
    expect(probing).toMatchObject({ capacity: 1, state: { breaker: 'half_open' } });
    expect(claimCapacity(probing.state, 1, at(BREAKER_COOLDOWN_MS)).capacity).toBe(0);
    expect(afterTargetFailure(probing.state, 'unavailable', at(BREAKER_COOLDOWN_MS), undefined).breaker).toBe('open');
    expect(afterSuccess(probing.state, limits)).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    expect(claimCapacity(state, 3, now).capacity).toBe(5);
  });
});
