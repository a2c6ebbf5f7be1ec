import type { Queryable } from '../../platform/database/database.js';
import { iso, type Timestamp } from '../../platform/database/row-timestamp.js';
import type { FailureClass } from '../connectors/index.js';
import type { PostingAttempt } from './outbox.js';

interface AttemptRow {
  attempt: number;
  started_at: Timestamp;
  finished_at: Timestamp;
  outcome: PostingAttempt['outcome'];
  failure_class: FailureClass | null;
  message: string | null;
  target_text: string | null;
  status_code: number | null;
  error_code: string | null;
  error_path: string | null;
}

function fromRowAttempt(row: AttemptRow): PostingAttempt {
  return {
    attempt: Number(row.attempt),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    outcome: row.outcome,
    failureClass: row.failure_class,
    message: row.message,
    targetText: row.target_text,
    statusCode: row.status_code === null ? null : Number(row.status_code),
    errorCode: row.error_code,
    errorPath: row.error_path,
  };
}

export interface AttemptRecord {
  postingId: string;
  attempt: number;
  startedAt: Date;
  finishedAt: Date;
  outcome: PostingAttempt['outcome'];
  failureClass?: FailureClass;
  message?: string;
  targetText?: string;
  statusCode?: number;
  errorCode?: string;
  errorPath?: string;
}

/** Records one attempt; a second record of the same attempt (a stale outcome) is dropped. */
export async function insertAttempt(tx: Queryable, record: AttemptRecord): Promise<void> {
  await tx.query(
    `insert into posting_attempts (posting_id, attempt, started_at, finished_at, outcome, failure_class, message, target_text,
                                   status_code, error_code, error_path)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     on conflict (posting_id, attempt) do nothing`,
    [
      record.postingId,
      record.attempt,
      record.startedAt,
      record.finishedAt,
      record.outcome,
      record.failureClass ?? null,
      record.message ?? null,
      record.targetText ?? null,
      record.statusCode ?? null,
      record.errorCode ?? null,
      record.errorPath ?? null,
    ],
  );
}

export async function listAttempts(db: Queryable, postingId: string): Promise<PostingAttempt[]> {
  const result = await db.query<AttemptRow>(
    `select attempt, started_at, finished_at, outcome, failure_class, message, target_text, status_code, error_code, error_path
       from posting_attempts where posting_id = $1 order by attempt`,
    [postingId],
  );
  return result.rows.map(fromRowAttempt);
}
