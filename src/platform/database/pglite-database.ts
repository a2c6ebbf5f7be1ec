import type { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.js';
import { copyStatement } from './copy-statement.js';

type PGliteQueryable = Pick<PGlite, 'query' | 'exec'>;

function wrap(target: PGliteQueryable): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await target.query<Row>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  };
}

/**
 * Statements outside a transaction. PGlite is one connection: a failed statement that opened its own
 * transaction block (SQL with a BEGIN) would leave it aborted, refusing everything after it, so a
 * failure is followed by a rollback (a no-op, with a warning, when no block is open).
 */
function wrapDirect(pglite: PGlite): Queryable {
  const inner = wrap(pglite);
  const rollingBack = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      await pglite.exec('rollback').catch(() => undefined);
      throw error;
    }
  };
  return {
    query: (sql, params) => rollingBack(() => inner.query(sql, params)),
    exec: (sql) => rollingBack(() => inner.exec(sql)),
  };
}

async function copyInto(
  target: PGliteQueryable,
  table: string,
  columns: readonly string[],
  rows: string,
): Promise<number> {
  const result = await target.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob([rows]) });
  return result.affectedRows ?? 0;
}

/**
 * Embedded PostgreSQL (WASM) in this process, on an already open PGlite instance (shared across the
 * tests of one file). PGlite is a single connection: its own `transaction` serializes work and rolls
 * back on any failure, so an aborted statement never poisons later queries. `close` leaves the
 * instance open: it belongs to the caller.
 */
export async function pgliteDatabase(pglite: PGlite, initSql?: string): Promise<Database> {
  if (initSql) await pglite.exec(initSql);
  const direct = wrapDirect(pglite);
  return {
    kind: 'pglite',
    query: direct.query,
    exec: direct.exec,
    transaction: (work) =>
      pglite.transaction((tx) =>
        work({ ...wrap(tx), copyIn: (table, columns, rows) => copyInto(tx, table, columns, rows) }),
      ),
    copyIn: (table, columns, rows) => copyInto(pglite, table, columns, rows),
    close: async () => undefined,
  };
}
