import type { Queryable } from '../../platform/database/database.js';
import { iso, type Timestamp } from '../../platform/database/row-timestamp.js';

// The record of each accrued period (`accrual_runs`): what makes the automatic accrual happen once per
// period across processes and restarts.

export interface AccrualEntry {
  targetKey: string;
  legalEntity: string;
  currency: string;
  externalId: string;
  reversal: string;
  amount: string;
}

export interface AccrualRun {
  period: string;
  accruedAt: string;
  actor: string;
  documents: number;
  accruals: AccrualEntry[];
}

interface AccrualRunRow {
  period: string;
  accrued_at: Timestamp;
  actor: string;
  documents: number | string;
  /** jsonb: an array as both drivers parse it. */
  accruals: AccrualEntry[];
}

const fromRowAccrualRun = (row: AccrualRunRow): AccrualRun => ({
  period: row.period,
  accruedAt: iso(row.accrued_at),
  actor: row.actor,
  documents: Number(row.documents),
  accruals: row.accruals,
});

export async function findAccrualRun(db: Queryable, period: string): Promise<AccrualRun | undefined> {
  const result = await db.query<AccrualRunRow>(
    `select period, accrued_at, actor, documents, accruals from accrual_runs where period = $1`,
    [period],
  );
  const row = result.rows[0];
  return row && fromRowAccrualRun(row);
}

/**
 * Records a period's run in the caller's transaction; false when a run of the period is already recorded.
 * On PostgreSQL a second transaction inserting the same period waits here for the first to end, then
 * finds its row: only one of several processes accruing a period at once goes on to write.
 */
export async function insertAccrualRun(db: Queryable, run: AccrualRun): Promise<boolean> {
  const result = await db.query<{ period: string }>(
    `insert into accrual_runs (period, accrued_at, actor, documents, accruals) values ($1, $2, $3, $4, $5)
     on conflict (period) do nothing returning period`,
    [run.period, run.accruedAt, run.actor, run.documents, JSON.stringify(run.accruals)],
  );
  return result.rows.length === 1;
}
