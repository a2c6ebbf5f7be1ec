import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** A target's shared delivery state: the rate limit's next free slot, the adaptive cap, the breaker. */
export interface TargetState {
  targetKey: string;
  nextSlotAt: Date;
  concurrencyCap: number;
  successesSinceBackoff: number;
  breaker: BreakerState;
  consecutiveFailures: number;
  breakerUntil: Date | null;
  /** The rate the target is sent at now, below the configured limit after throttling; null at the limit. */
  requestRate: number | null;
  /** When the target last throttled in a way that lowered the cap or the rate (one cut per window). */
  throttledAt: Date | null;
  /** Requests the target accepted and refused (429) since that cut: the next cut takes off the refused share. */
  acceptedSinceCut: number;
  refusedSinceCut: number;
  /** A dispatcher that found the cap full, and when: others holding claims leave it a place meanwhile. */
  waitingClaimer: string | null;
  waitingSince: Date | null;
}

interface TargetStateRow {
  target_key: string;
  next_slot_at: Timestamp;
  concurrency_cap: number;
  successes_since_backoff: number;
  breaker: BreakerState;
  consecutive_failures: number;
  breaker_until: Timestamp | null;
  request_rate: number | null;
  throttled_at: Timestamp | null;
  accepted_since_cut: number;
  refused_since_cut: number;
  waiting_claimer: string | null;
  waiting_since: Timestamp | null;
}

function fromRowTargetState(row: TargetStateRow): TargetState {
  return {
    targetKey: row.target_key,
    nextSlotAt: new Date(row.next_slot_at),
    concurrencyCap: Number(row.concurrency_cap),
    successesSinceBackoff: Number(row.successes_since_backoff),
    breaker: row.breaker,
    consecutiveFailures: Number(row.consecutive_failures),
    breakerUntil: row.breaker_until ? new Date(row.breaker_until) : null,
    requestRate: row.request_rate === null ? null : Number(row.request_rate),
    throttledAt: row.throttled_at ? new Date(row.throttled_at) : null,
    acceptedSinceCut: Number(row.accepted_since_cut),
    refusedSinceCut: Number(row.refused_since_cut),
    waitingClaimer: row.waiting_claimer,
    waitingSince: row.waiting_since ? new Date(row.waiting_since) : null,
  };
}

/**
 * Locks the target's state for the rest of the transaction (created at the configured cap the first
 * time): every dispatcher process claiming for the target takes turns here, so its limits hold across them.
 */
export async function lockTargetState(
  tx: Queryable,
  targetKey: string,
  initialCap: number,
  now: Date,
): Promise<TargetState> {
  await tx.query(
    `insert into posting_targets (target_key, next_slot_at, concurrency_cap, updated_at) values ($1, $2, $3, $2)
     on conflict (target_key) do nothing`,
    [targetKey, now, initialCap],
  );
  const result = await tx.query<TargetStateRow>(
    `select target_key, next_slot_at, concurrency_cap, successes_since_backoff, breaker, consecutive_failures, breaker_until,
            request_rate, throttled_at, accepted_since_cut, refused_since_cut, waiting_claimer, waiting_since
       from posting_targets where target_key = $1 for update`,
    [targetKey],
  );
  return fromRowTargetState(result.rows[0] as TargetStateRow);
}

export async function saveTargetState(tx: Queryable, state: TargetState, now: Date): Promise<void> {
  await tx.query(
    `update posting_targets set next_slot_at = $2, concurrency_cap = $3, successes_since_backoff = $4, breaker = $5,
            consecutive_failures = $6, breaker_until = $7, request_rate = $9, throttled_at = $10,
            accepted_since_cut = $11, refused_since_cut = $12, waiting_claimer = $13, waiting_since = $14, updated_at = $8
      where target_key = $1`,
    [
      state.targetKey,
      state.nextSlotAt,
      state.concurrencyCap,
      state.successesSinceBackoff,
      state.breaker,
      state.consecutiveFailures,
      state.breakerUntil,
      now,
      state.requestRate,
      state.throttledAt,
      state.acceptedSinceCut,
      state.refusedSinceCut,
      state.waitingClaimer,
      state.waitingSince,
    ],
  );
}

/** Every target's state, for metrics and the API. */
export async function listTargetStates(db: Queryable): Promise<TargetState[]> {
  const result = await db.query<TargetStateRow>(
    `select target_key, next_slot_at, concurrency_cap, successes_since_backoff, breaker, consecutive_failures, breaker_until,
            request_rate, throttled_at, accepted_since_cut, refused_since_cut, waiting_claimer, waiting_since
       from posting_targets order by target_key`,
  );
  return result.rows.map(fromRowTargetState);
}
