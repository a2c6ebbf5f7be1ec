import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../package-root.js';
import type { Database, Queryable, QueryResult } from './database.js';
import { copyStatement } from './copy-statement.js';
import type {
  PGliteWorkerData,
  ReadyMessage,
  Reply,
  Request,
  SerializedError,
  Statement,
  SuccessReply,
} from './pglite-worker-protocol.js';

function toError(serialized: SerializedError): Error {
  return Object.assign(new Error(serialized.message), serialized);
}

/**
 * The thread's module, compiled. Compiled code (dist/, the bin) runs the worker beside it. Node 20
 * cannot run TypeScript in a worker, so the sources (under vitest) run the build's copy, which
 * `npm test` compiles first; a missing or older copy would test code that is not the source's.
 */
function workerModule(): URL {
  const beside = new URL('./pglite-worker.js', import.meta.url);
  if (import.meta.url.endsWith('.js')) return beside;
  const source = fileURLToPath(new URL('./pglite-worker.ts', import.meta.url));
  const built = join(packageRoot(), 'dist', 'src', 'platform', 'database', 'pglite-worker.js');
  if (!existsSync(built)) {
    throw new Error(`the embedded database thread runs ${built}, which is missing: run \`npm run build\``);
  }
  if (statSync(built).mtimeMs < statSync(source).mtimeMs) {
    throw new Error(`the embedded database thread runs ${built}, which is older than ${source}: run \`npm run build\``);
  }
  return pathToFileURL(built);
}

/**
 * Embedded PostgreSQL (PGlite) on its own thread, so request parsing and validation run on the main
 * thread while the database works on the other core. PGlite is still one connection: the worker
 * orders statements, and a transaction holds it from `begin` to `commit`. Statements are posted at
 * once, never held back on this side, so the worker never idles waiting for this thread's event loop.
 */
export async function openPGliteWorkerDatabase(options: PGliteWorkerData): Promise<Database> {
  const workerData: PGliteWorkerData = { dataDir: options.dataDir, initSql: options.initSql };
  const worker = new Worker(workerModule(), { workerData });
  const pending = new Map<number, { resolve: (reply: SuccessReply) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let nextTxn = 1;
  let failure: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.once('message', (message: ReadyMessage) => (message.ready ? resolve() : reject(toError(message.error))));
    worker.once('error', reject);
  });
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (!waiter) return;
    if (reply.ok) waiter.resolve(reply);
    else waiter.reject(toError(reply.error));
  });
  // A dead worker fails every waiting and future call instead of leaving them hanging.
  const fail = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the embedded database thread exited (code ${code})`)));

  const send = (statement: Statement): Promise<SuccessReply> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...statement } satisfies Request);
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
