import type { Queryable } from '../../platform/database/database.js';
import { iso, type Timestamp } from '../../platform/database/row-timestamp.js';
import type {
  MeterRow,
  Mismatch,
  MismatchClass,
  ReconciliationRun,
  ReconciliationSummary,
  RunStatus,
  StageTotals,
} from './reconciliation.js';

// The kept reports: `reconciliation_runs` (one per run, its totals and summary) and
// `reconciliation_mismatches` (one per mismatch found, marked when repaired).

interface RunRow {
  id: string;
  period: string;
  legal_entity: string | null;
  provisional: boolean;
  repair: boolean;
  status: RunStatus;
  requested_by: string;
  started_at: Timestamp;
  finished_at: Timestamp | null;
  summary: ReconciliationSummary;
  totals: StageTotals[];
  meter_rows: MeterRow[];
  error: string | null;
}

const RUN_COLUMNS = `id, period, legal_entity, provisional, repair, status, requested_by, started_at, finished_at,
  summary, totals, meter_rows, error`;

const EMPTY_SUMMARY: ReconciliationSummary = {
  mismatches: 0,
  byClass: {},
  repaired: 0,
  postingsRead: 0,
  readRequests: 0,
  awaitingDelivery: 0,
  unverified: [],
  clean: false,
};

const fromRunRow = (row: RunRow): ReconciliationRun => ({
  id: row.id,
  period: row.period,
  legalEntity: row.legal_entity,
  provisional: row.provisional,
  repair: row.repair,
  status: row.status,
  requestedBy: row.requested_by,
  startedAt: iso(row.started_at),
  finishedAt: row.finished_at === null ? null : iso(row.finished_at),
  summary: { ...EMPTY_SUMMARY, ...row.summary },
  totals: row.totals,
  rows: row.meter_rows,
  error: row.error,
});

/** What a run was asked, kept so that a worker can run it (or run it again after its process died). */
export interface StoredRequest {
  period: string;
  entity?: string;
  repair: boolean;
  stuckAfterHours: number;
}

/** A run, queued for a worker or running (attempt 1) in the caller's process under a lease. */
export async function insertRun(
  db: Queryable,
  run: Pick<ReconciliationRun, 'id' | 'period' | 'legalEntity' | 'provisional' | 'repair' | 'requestedBy'> & {
    status: 'queued' | 'running';
    request: StoredRequest;
    leaseUntil: Date | null;
  },
  at: Date,
): Promise<void> {
  await db.query(
    `insert into reconciliation_runs (id, period, legal_entity, provisional, repair, status, requested_by, started_at,
            request, lease_until, attempts)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
    [
      run.id,
      run.period,
      run.legalEntity,
      run.provisional,
      run.repair,
      run.status,
      run.requestedBy,
      at,
      JSON.stringify(run.request),
      run.leaseUntil,
      run.status === 'running' ? 1 : 0,
    ],
  );
}

/** A run claimed by a worker: which attempt this is, and what it was asked. */
export interface ClaimedRun {
  id: string;
  attempt: number;
  request: StoredRequest;
  requestedBy: string;
}

/**
 * Claims the oldest queued run, or a running one whose lease lapsed (its process died), for `leaseMs`.
 * Runs kept from before runs had requests are never claimed.
 */
export async function claimRun(db: Queryable, now: Date, leaseMs: number): Promise<ClaimedRun | undefined> {
  const result = await db.query<{ id: string; attempts: number; request: StoredRequest; requested_by: string }>(
    `update reconciliation_runs set status = 'running', attempts = attempts + 1, lease_until = $2
      where id = (select id from reconciliation_runs
                   where request is not null
                     and (status = 'queued' or (status = 'running' and lease_until < $1))
                   order by run_number limit 1 for update skip locked)
      returning id, attempts, request, requested_by`,
    [now, new Date(now.getTime() + leaseMs)],
  );
  const row = result.rows[0];
  return row && { id: row.id, attempt: Number(row.attempts), request: row.request, requestedBy: row.requested_by };
}

/** Extends the lease of a run's attempt; false when the attempt lost the run (its lease lapsed and another took it). */
export async function renewLease(db: Queryable, id: string, attempt: number, until: Date): Promise<boolean> {
  const result = await db.query(
    `update reconciliation_runs set lease_until = $3 where id = $1 and attempts = $2 and status = 'running'`,
    [id, attempt, until],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Locks a run for its attempt's last transaction; false when the attempt no longer holds it. */
export async function holdsRun(db: Queryable, id: string, attempt: number): Promise<boolean> {
  const result = await db.query(
    `select 1 from reconciliation_runs where id = $1 and attempts = $2 and status = 'running' for update`,
    [id, attempt],
  );
  return result.rows.length > 0;
}

/** Puts a failed attempt's run back in the queue, with why it failed. */
export async function requeueRun(db: Queryable, id: string, attempt: number, error: string): Promise<void> {
  await db.query(
    `update reconciliation_runs set status = 'queued', lease_until = null, error = $3
      where id = $1 and attempts = $2 and status = 'running'`,
    [id, attempt, error],
  );
}

export async function finishRun(
  db: Queryable,
  id: string,
  outcome: {
    status: RunStatus;
    /** As judged when the run's data was read; absent: as it was when the run was asked. */
    provisional?: boolean;
    summary: ReconciliationSummary;
    totals: StageTotals[];
    rows: MeterRow[];
    error?: string;
  },
  at: Date,
): Promise<void> {
  await db.query(
    `update reconciliation_runs set status = $2, summary = $3::jsonb, totals = $4::jsonb, meter_rows = $5::jsonb,
            error = $6, finished_at = $7, provisional = coalesce($8, provisional), lease_until = null
      where id = $1`,
    [
      id,
      outcome.status,
      JSON.stringify(outcome.summary),
      JSON.stringify(outcome.totals),
      JSON.stringify(outcome.rows),
      outcome.error ?? null,
      at,
      outcome.provisional ?? null,
    ],
  );
}

export async function insertMismatches(db: Queryable, runId: string, mismatches: readonly Mismatch[]): Promise<void> {
  if (mismatches.length === 0) return;
  const column = <K extends keyof Mismatch>(key: K) => mismatches.map((mismatch) => mismatch[key]);
  await db.query(
    `insert into reconciliation_mismatches (run_id, seq, class, legal_entity, currency, customer, meter, target_key,
            invoice_id, posting_id, external_id, target_document_id, expected, actual, detail, action, repaired)
     select $1, * from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
            $17::boolean[])`,
    [
      runId,
      column('seq'),
      column('class'),
      column('legalEntity'),
      column('currency'),
      column('customer'),
      column('meter'),
      column('targetKey'),
      column('invoiceId'),
      column('postingId'),
      column('externalId'),
      column('targetDocumentId'),
      column('expected'),
      column('actual'),
      column('detail'),
      column('action'),
      column('repaired'),
    ],
  );
}

export async function findRun(db: Queryable, id: string): Promise<ReconciliationRun | undefined> {
  const result = await db.query<RunRow>(`select ${RUN_COLUMNS} from reconciliation_runs where id = $1`, [id]);
  const row = result.rows[0];
  return row && fromRunRow(row);
}

/** The newest runs first, optionally of one period, paged by started_at and id. */
export async function listRuns(
  db: Queryable,
  filter: { period?: string; before?: { startedAt: string; id: string }; limit: number },
): Promise<ReconciliationRun[]> {
  const result = await db.query<RunRow>(
    `select ${RUN_COLUMNS} from reconciliation_runs
      where ($1::text is null or period = $1)
        and ($2::timestamptz is null or (started_at, id) < ($2::timestamptz, $3::text))
      order by started_at desc, id desc limit $4`,
    [filter.period ?? null, filter.before?.startedAt ?? null, filter.before?.id ?? '', filter.limit],
  );
  return result.rows.map(fromRunRow);
}

interface MismatchRow {
  seq: number;
  class: MismatchClass;
  legal_entity: string | null;
  currency: string | null;
  customer: string | null;
  meter: string | null;
  target_key: string | null;
  invoice_id: string | null;
  posting_id: string | null;
  external_id: string | null;
  target_document_id: string | null;
  expected: string | null;
  actual: string | null;
  detail: string;
  action: string;
  repaired: boolean;
}

const fromMismatchRow = (row: MismatchRow): Mismatch => ({
  seq: Number(row.seq),
  class: row.class,
  legalEntity: row.legal_entity,
  currency: row.currency,
  customer: row.customer,
  meter: row.meter,
  targetKey: row.target_key,
  invoiceId: row.invoice_id,
  postingId: row.posting_id,
  externalId: row.external_id,
  targetDocumentId: row.target_document_id,
  expected: row.expected,
  actual: row.actual,
  detail: row.detail,
  action: row.action,
  repaired: row.repaired,
});

export async function listMismatches(db: Queryable, runId: string): Promise<Mismatch[]> {
  const result = await db.query<MismatchRow>(
    `select seq, class, legal_entity, currency, customer, meter, target_key, invoice_id, posting_id, external_id,
            target_document_id, expected, actual, detail, action, repaired
       from reconciliation_mismatches where run_id = $1 order by seq`,
    [runId],
  );
  return result.rows.map(fromMismatchRow);
}

/** A mismatch locked for its repair, or undefined. */
export async function lockMismatch(db: Queryable, runId: string, seq: number): Promise<Mismatch | undefined> {
  const result = await db.query<MismatchRow>(
    `select seq, class, legal_entity, currency, customer, meter, target_key, invoice_id, posting_id, external_id,
            target_document_id, expected, actual, detail, action, repaired
       from reconciliation_mismatches where run_id = $1 and seq = $2 for update`,
    [runId, seq],
  );
  const row = result.rows[0];
  return row && fromMismatchRow(row);
}

export async function markRepaired(db: Queryable, runId: string, seq: number, action: string): Promise<void> {
  await db.query(`update reconciliation_mismatches set repaired = true, action = $3 where run_id = $1 and seq = $2`, [
    runId,
    seq,
    action,
  ]);
}

/** Records the postings a run read back, at the time it finished reading. */
export async function insertReads(
  db: Queryable,
  runId: string,
  postingIds: readonly string[],
  at: Date,
): Promise<void> {
  if (postingIds.length === 0) return;
  await db.query(
    `insert into reconciliation_reads (run_id, posting_id, read_at)
     select $1, id, $3 from unnest($2::bigint[]) as id on conflict do nothing`,
    [runId, postingIds, at],
  );
}

/** When each of the given postings was first read back by a completed run. */
export async function firstReads(db: Queryable, postingIds: readonly string[]): Promise<Map<string, Date>> {
  if (postingIds.length === 0) return new Map();
  const result = await db.query<{ posting_id: string; read_at: Timestamp }>(
    `select r.posting_id::text as posting_id, min(r.read_at) as read_at
       from reconciliation_reads r join reconciliation_runs runs on runs.id = r.run_id and runs.status = 'completed'
      where r.posting_id = any($1::bigint[])
      group by r.posting_id`,
    [postingIds],
  );
  return new Map(result.rows.map((row) => [row.posting_id, new Date(row.read_at)]));
}

/** The newest completed run of each period and entity (null: every entity) started since `since`. */
export async function latestCompletedRuns(db: Queryable, since: Date): Promise<ReconciliationRun[]> {
  const result = await db.query<RunRow>(
    `select distinct on (period, coalesce(legal_entity, '')) ${RUN_COLUMNS} from reconciliation_runs
      where status = 'completed' and started_at >= $1
      order by period, coalesce(legal_entity, ''), run_number desc`,
    [since],
  );
  return result.rows.map(fromRunRow);
}

/**
 * Queues a run of a period for every entity, asked by `actor`, unless a run of it (not failed) was asked
 * since `since`; true when it queued one. Schedulers of one store take turns on an advisory lock, so two
 * processes ticking at once queue one run.
 */
export async function queueUnlessRecent(
  tx: Queryable,
  run: { id: string; period: string; provisional: boolean; request: StoredRequest; actor: string },
  since: Date,
  at: Date,
): Promise<boolean> {
  await tx.query(`select pg_advisory_xact_lock(hashtextextended('reconciliation-schedule:' || current_schema(), 0))`);
  const recent = await tx.query(
    `select 1 from reconciliation_runs
      where period = $1 and legal_entity is null and status <> 'failed' and started_at >= $2 limit 1`,
    [run.period, since],
  );
  if (recent.rows.length > 0) return false;
  await insertRun(
    tx,
    {
      id: run.id,
      period: run.period,
      legalEntity: null,
      provisional: run.provisional,
      repair: false,
      requestedBy: run.actor,
      status: 'queued',
      request: run.request,
      leaseUntil: null,
    },
    at,
  );
  return true;
}
