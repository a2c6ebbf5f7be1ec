/**
 * The embedded database thread, as CommonJS source evaluated in place (so it runs the same from
 * src/ under tests and from dist/ under the bin). Statements run one at a time in arrival order;
 * while a transaction is open only its own statements run, and everything else waits in the inbox.
 */
export const PGLITE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pgliteEntry);
const serializeError = (error) => ({
  message: error.message, code: error.code, detail: error.detail, constraint: error.constraint, severity: error.severity,
});
PGlite.create(workerData.dataDir).then(async (db) => {
  if (workerData.initSql) await db.exec(workerData.initSql);
  const inbox = [];
  let active = null;
  let busy = false;
  const eligible = (message) => active === null || message.txn === active;
  async function run(message) {
    const { id, op, sql, params } = message;
    let ok = true;
    try {
      if (op === 'close') {
        await db.close();
        parentPort.postMessage({ id, ok: true });
      } else if (op === 'query' || op === 'copy') {
        const result = await db.query(sql, params, op === 'copy' ? { blob: new Blob([message.rows]) } : undefined);
        parentPort.postMessage({ id, ok: true, rows: result.rows, rowCount: result.affectedRows ?? result.rows.length });
      } else {
        await db.exec(sql);
        parentPort.postMessage({ id, ok: true });
      }
    } catch (error) {
      ok = false;
      parentPort.postMessage({ id, ok: false, error: serializeError(error) });
    }
    return ok;
  }
  async function pump() {
    if (busy) return;
    busy = true;
    for (;;) {
      const index = inbox.findIndex(eligible);
      if (index < 0) break;
      const [message] = inbox.splice(index, 1);
      if (message.begins) active = message.txn;
      const ok = await run(message);
      // A transaction whose begin failed never opened: holding the connection for it would stall every later statement.
      if (message.ends || (message.begins && !ok)) active = null;
      // A statement that failed outside our transactions may still have left the one connection in
      // an aborted transaction block (SQL with its own BEGIN), which would refuse everything after it.
      if (!ok && active === null) await db.exec('rollback').catch(() => undefined);
    }
    busy = false;
  }
  parentPort.on('message', (message) => {
    inbox.push(message);
    void pump();
  });
  parentPort.postMessage({ ready: true });
}, (error) => parentPort.postMessage({ ready: false, error: serializeError(error) }));
`;
