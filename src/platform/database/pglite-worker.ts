/**
 * The embedded database thread, started by `pglite-worker-database.ts` (never imported). Statements
 * run one at a time in arrival order; while a transaction is open only its own statements run, and
 * everything else waits in the inbox.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { PGliteWorkerData, ReadyMessage, Reply, Request, SerializedError } from './pglite-worker-protocol.js';

if (!parentPort) throw new Error('pglite-worker runs as a worker thread, started by openPGliteWorkerDatabase');
const port = parentPort;
const { dataDir, initSql } = workerData as PGliteWorkerData;

function serializeError(error: unknown): SerializedError {
  const { message, code, detail, constraint, severity } = error as SerializedError;
  return { message, code, detail, constraint, severity };
}

const reply = (message: Reply) => port.postMessage(message);
const announce = (message: ReadyMessage) => port.postMessage(message);

PGlite.create(dataDir).then(
  async (db) => {
    if (initSql) await db.exec(initSql);
    const inbox: Request[] = [];
    let active: number | null = null;
    let busy = false;
    const eligible = (message: Request) => active === null || message.txn === active;

    async function run(message: Request): Promise<boolean> {
      const { id } = message;
      try {
        if (message.op === 'close') {
          await db.close();
          reply({ id, ok: true });
        } else if (message.op === 'query' || message.op === 'copy') {
          const result = await db.query(
            message.sql,
            message.params as unknown[] | undefined,
            message.op === 'copy' ? { blob: new Blob([message.rows]) } : undefined,
          );
          reply({ id, ok: true, rows: result.rows, rowCount: result.affectedRows ?? result.rows.length });
        } else {
          await db.exec(message.sql);
          reply({ id, ok: true });
        }
        return true;
      } catch (error) {
        reply({ id, ok: false, error: serializeError(error) });
        return false;
      }
    }

    async function pump(): Promise<void> {
      if (busy) return;
      busy = true;
      for (;;) {
        const index = inbox.findIndex(eligible);
        if (index < 0) break;
        const [message] = inbox.splice(index, 1) as [Request];
        if (message.begins) active = message.txn ?? null;
        const ok = await run(message);
        // A transaction whose begin failed never opened: holding the connection for it would stall every later statement.
        if (message.ends || (message.begins && !ok)) active = null;
        // A statement that failed outside our transactions may still have left the one connection in
        // an aborted transaction block (SQL with its own BEGIN), which would refuse everything after it.
        if (!ok && active === null) await db.exec('rollback').catch(() => undefined);
      }
      busy = false;
    }

    port.on('message', (message: Request) => {
      inbox.push(message);
      void pump();
    });
    announce({ ready: true });
  },
  (error: unknown) => announce({ ready: false, error: serializeError(error) }),
);
