import type { Queryable } from '../../../platform/database/database.js';

// A billing run's own rows and settings: the month's lock, the run row its documents refer to, and what
// its transaction needs to aggregate a month in memory.

/**
 * Takes the period's billing lock for the rest of the transaction; false when another run holds it.
 * Advisory locks are per database, so the key names the schema too: stores in other schemas of the
 * same database never block each other.
 */
export async function tryLockPeriod(db: Queryable, period: string): Promise<boolean> {
  const result = await db.query<{ locked: boolean }>(
    `select pg_try_advisory_xact_lock(hashtextextended('billing-run:' || current_schema() || ':' || $1, 0)) as locked`,
    [period],
  );
  return result.rows[0]?.locked === true;
}

/**
 * Lets the run's transaction sort and hash in memory: the month's aggregate hashes every usage record of
 * the month, and with the default 4 MB it spills to disk in batches (measured: 1.7 s instead of 1.2 s
 * for 1,000,000 records on PostgreSQL).
 */
export async function raiseRunWorkMem(tx: Queryable): Promise<void> {
  await tx.query(`set local work_mem = '64MB'`);
}

export interface BillingRunRecord {
  id: string;
  period: string;
  startedAt: Date;
  finishedAt: Date;
  actor: string;
  summary: Record<string, unknown>;
}

export async function insertRun(db: Queryable, run: BillingRunRecord): Promise<void> {
  await db.query(
    `insert into billing_runs (id, period, started_at, finished_at, actor, summary) values ($1, $2, $3, $4, $5, $6)`,
    [run.id, run.period, run.startedAt, run.finishedAt, run.actor, JSON.stringify(run.summary)],
  );
}

/** Writes the run's final summary (the row exists from the start: invoices refer to it). */
export async function completeRun(
  db: Queryable,
  id: string,
  finishedAt: Date,
  summary: Record<string, unknown>,
): Promise<void> {
  await db.query(`update billing_runs set finished_at = $2, summary = $3 where id = $1`, [
    id,
    finishedAt,
    JSON.stringify(summary),
  ]);
}
