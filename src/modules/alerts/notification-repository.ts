import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';

export type NotificationKind = 'fired' | 'resolved';

/** A claimed notification: which alert, which event of it, how many attempts so far (this one included). */
export interface ClaimedNotification {
  alertId: string;
  kind: NotificationKind;
  attempts: number;
}

/** Adds the notification of an alert's firing or resolution, once: the key (alert, kind) is the dedup. */
export async function addNotification(
  tx: Queryable,
  alertId: string,
  kind: NotificationKind,
  now: Date,
): Promise<void> {
  await tx.query(
    `insert into alert_notifications (alert_id, kind, created_at, next_attempt_at) values ($1::bigint, $2, $3, $3)
     on conflict (alert_id, kind) do nothing`,
    [alertId, kind, now],
  );
}

/**
 * Claims up to `limit` due notifications for `leaseMs`: not delivered, due, not claimed by a live lease
 * (`FOR UPDATE SKIP LOCKED`: another process claims others). A resolution waits for its firing's
 * delivery, so a receiver never hears of a resolution first.
 */
export async function claimNotifications(
  tx: Queryable,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<ClaimedNotification[]> {
  const result = await tx.query<{ alert_id: string; kind: NotificationKind; attempts: number }>(
    `update alert_notifications n set lease_until = $2, attempts = n.attempts + 1
       from (select alert_id, kind from alert_notifications c
              where c.delivered_at is null and c.next_attempt_at <= $1 and (c.lease_until is null or c.lease_until <= $1)
                and not (c.kind = 'resolved' and exists (
                  select 1 from alert_notifications f where f.alert_id = c.alert_id and f.kind = 'fired' and f.delivered_at is null))
              order by c.created_at, c.alert_id, c.kind
              limit $3 for update skip locked) as due
      where n.alert_id = due.alert_id and n.kind = due.kind
      returning n.alert_id::text as alert_id, n.kind, n.attempts`,
    [now, new Date(now.getTime() + leaseMs), limit],
  );
  return result.rows.map((row) => ({ alertId: row.alert_id, kind: row.kind, attempts: row.attempts }));
}

/** Delivered: never sent again. Only the holder of the lease settles it (`leaseUntil` as it claimed). */
export async function markDelivered(tx: Queryable, claim: ClaimedNotification, now: Date): Promise<void> {
  await tx.query(
    `update alert_notifications set delivered_at = $3, lease_until = null, last_error = null
      where alert_id = $1::bigint and kind = $2 and delivered_at is null`,
    [claim.alertId, claim.kind, now],
  );
}

/** Failed: tried again at `retryAt`; the error (never a secret) is kept for an operator. */
export async function markFailed(
  tx: Queryable,
  claim: ClaimedNotification,
  retryAt: Date,
  error: string,
): Promise<void> {
  await tx.query(
    `update alert_notifications set lease_until = null, next_attempt_at = $3, last_error = $4
      where alert_id = $1::bigint and kind = $2 and delivered_at is null`,
    [claim.alertId, claim.kind, retryAt, error.slice(0, 2000)],
  );
}

/** Notifications not delivered yet, for `status`. */
export async function countUndelivered(
  db: Queryable,
): Promise<{ waiting: number; oldest: Date | null; lastError: string | null }> {
  const result = await db.query<{ n: string; oldest: Timestamp | null; last_error: string | null }>(
    `select count(*)::text as n, min(created_at) as oldest,
            (array_agg(last_error order by created_at) filter (where last_error is not null))[1] as last_error
       from alert_notifications where delivered_at is null`,
  );
  const row = result.rows[0];
  return {
    waiting: Number(row?.n ?? 0),
    oldest: row?.oldest ? new Date(row.oldest) : null,
    lastError: row?.last_error ?? null,
  };
}
