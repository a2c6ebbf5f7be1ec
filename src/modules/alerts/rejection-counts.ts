import type { Queryable } from '../../platform/database/database.js';

// Ingestion keeps nothing of a rejected event, so the schema-rejection rule counts rejections here, per
// minute, from every process: the rate survives restarts and is the same for every evaluator.

/** Adds `rejected` to the minute of `at` (UTC). */
export async function addRejections(db: Queryable, at: Date, rejected: number): Promise<void> {
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  await db.query(
    `insert into alert_rejection_counts (minute, rejected) values ($1, $2)
     on conflict (minute) do update set rejected = alert_rejection_counts.rejected + excluded.rejected`,
    [minute, rejected],
  );
}

/** Events rejected in the minutes starting from `since` up to `until` (its minute included), as exact text. */
export async function countRejectionsSince(db: Queryable, since: Date, until: Date): Promise<string> {
  const result = await db.query<{ n: string | null }>(
    `select sum(rejected)::text as n from alert_rejection_counts where minute >= $1 and minute <= $2`,
    [since, until],
  );
  return result.rows[0]?.n ?? '0';
}

/** Drops the counts older than `before`: no rule looks back further than a day. */
export async function pruneRejections(db: Queryable, before: Date): Promise<void> {
  await db.query(`delete from alert_rejection_counts where minute < $1`, [before]);
}
