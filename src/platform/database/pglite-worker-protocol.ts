/**
 * The messages between `pglite-worker-database.ts` (the main thread) and `pglite-worker.ts` (the
 * embedded database thread). Types only: both sides compile against them, neither imports the other.
 */

/** What the thread is started with (`workerData`). */
export interface PGliteWorkerData {
  /** File-backed data directory, already created (and locked) by the caller. */
  dataDir: string;
  /** Statements run once after opening, before the thread reports ready. */
  initSql?: string;
}

/** A PostgreSQL error as it crosses the thread boundary: its SQLSTATE and details, not its class. */
export interface SerializedError {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
  severity?: string;
}

/** The thread's first message: the store opened, or why it could not. */
export type ReadyMessage = { ready: true } | { ready: false; error: SerializedError };

/** The transaction a statement belongs to; `begins`/`ends` open and close it in the worker. */
interface TransactionMark {
  txn?: number;
  begins?: boolean;
  ends?: boolean;
}

export type Statement = TransactionMark &
  (
    | { op: 'query'; sql: string; params?: readonly unknown[] }
    /** `rows` is COPY text, loaded by `sql` (a COPY ... FROM '/dev/blob'). */
    | { op: 'copy'; sql: string; params: readonly unknown[]; rows: string }
    | { op: 'exec'; sql: string }
    | { op: 'close' }
  );

/** A statement sent to the thread; its reply carries the same `id`. */
export type Request = Statement & { id: number };

/** `rows` and `rowCount` answer `query` and `copy`; `exec` and `close` answer with neither. */
export interface SuccessReply {
  id: number;
  ok: true;
  rows?: unknown[];
  rowCount?: number;
}

interface FailureReply {
  id: number;
  ok: false;
  error: SerializedError;
}

export type Reply = SuccessReply | FailureReply;
