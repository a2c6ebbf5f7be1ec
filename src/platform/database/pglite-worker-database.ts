import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database, Queryable, QueryResult } from './database.js';
import { copyStatement } from './copy-statement.js';
import { PGLITE_WORKER_SOURCE } from './pglite-worker-source.js';

interface SerializedError {
  message: string;
  code?: string;
  detail?: string;
  constraint?: string;
}

interface Reply {
  id: number;
  ok: boolean;
  rows?: unknown[];
  rowCount?: number;
  error?: SerializedError;
}

interface Statement {
  op: 'query' | 'exec' | 'copy' | 'close';
  /** COPY text rows, for `copy`. */
  rows?: string;
  sql?: string;
  params?: readonly unknown[];
  /** The transaction this statement belongs to; `begins`/`ends` open and close it in the worker. */
  txn?: number;
  begins?: boolean;
  ends?: boolean;
}

function toError(serialized: SerializedError): Error {
  return Object.assign(new Error(serialized.message), serialized);
}

/**
 * Embedded PostgreSQL (PGlite) on its own thread, so request parsing and validation run on the main
 * thread while the database works on the other core. PGlite is still one connection: the worker
 * orders statements, and a transaction holds it from `begin` to `commit`. Statements are posted at
 * once, never held back on this side, so the worker never idles waiting for this thread's event loop.
 */
export async function openPGliteWorkerDatabase(options: { dataDir: string; initSql?: string }): Promise<Database> {
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const worker = new Worker(PGLITE_WORKER_SOURCE, {
    eval: true,
    workerData: { pgliteEntry, dataDir: options.dataDir, initSql: options.initSql },
  });
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let nextTxn = 1;
  let failure: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.once('message', (message: { ready: boolean; error?: SerializedError }) =>
      message.ready ? resolve() : reject(toError(message.error as SerializedError)),
    );
    worker.once('error', reject);
  });
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (!waiter) return;
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(toError(reply.error as SerializedError));
  });
  // A dead worker fails every waiting and future call instead of leaving them hanging.
  const fail = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the embedded database thread exited (code ${code})`)));

  const send = (statement: Statement): Promise<Reply> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...statement });
    });
  };
  const queryable = (txn?: number): Queryable => ({
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const reply = await send({ op: 'query', sql, params, txn });
      return { rows: reply.rows as Row[], rowCount: reply.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await send({ op: 'exec', sql, txn });
    },
  });
  const direct = queryable();

  return {
    kind: 'pglite',
    query: direct.query,
    exec: direct.exec,
    async transaction(work) {
      const txn = nextTxn++;
      await send({ op: 'exec', sql: 'begin', txn, begins: true });
      try {
        const result = await work({
          ...queryable(txn),
          copyIn: async (table, columns, rows) =>
            (await send({ op: 'copy', sql: copyStatement(table, columns, "'/dev/blob'"), params: [], rows, txn }))
              .rowCount ?? 0,
        });
        // PostgreSQL answers COMMIT of an aborted transaction (a statement failed, its error caught) with
        // a silent ROLLBACK, which PGlite does not report: any statement there fails (25P02) instead.
        await send({ op: 'query', sql: 'select 1', txn }).catch((error: unknown) => {
          throw Object.assign(
            new Error(
              'the transaction was rolled back at commit: a statement in it had failed, and its error was caught',
            ),
            { cause: error },
          );
        });
        await send({ op: 'exec', sql: 'commit', txn, ends: true });
        return result;
      } catch (error) {
        // The caller learns why the work failed; a rollback that fails too (the thread died) adds nothing.
        await send({ op: 'exec', sql: 'rollback', txn, ends: true }).catch(() => undefined);
        throw error;
      }
    },
    async copyIn(table, columns, rows) {
      const reply = await send({ op: 'copy', sql: copyStatement(table, columns, "'/dev/blob'"), params: [], rows });
      return reply.rowCount ?? 0;
    },
    async close() {
      if (!failure) await send({ op: 'close' });
      await worker.terminate();
    },
  };
}
