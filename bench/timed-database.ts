import type { Database, Queryable, QueryResult, Transaction } from '../src/platform/database/database.js';

/** Where a timed store reports: each statement (COPY as `copy <table>`), JavaScript inside transactions, BEGIN/COMMIT. */
export interface StatementTimer {
  statement(sql: string, seconds: number): void;
  /** Time inside a transaction that no statement took: the caller's JavaScript. */
  javascript(seconds: number): void;
  /** The rest of a transaction's time: opening and committing it. */
  commit(seconds: number): void;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

async function timed<T>(work: () => Promise<T>, done: (took: number) => void): Promise<T> {
  const started = process.hrtime.bigint();
  try {
    return await work();
  } finally {
    done(seconds(started));
  }
}

/** The store with every statement timed by the `timer`, for the benchmarks' "where the time goes". */
export function timedDatabase(db: Database, timer: StatementTimer): Database {
  const timedQueryable = (q: Queryable, spent: { seconds: number }): Queryable => ({
    query: <Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> =>
      timed(
        () => q.query<Row>(sql, params),
        (took) => {
          timer.statement(sql, took);
          spent.seconds += took;
        },
      ),
    exec: (sql) => q.exec(sql),
  });
  return {
    kind: db.kind,
    ...timedQueryable(db, { seconds: 0 }),
    copyIn: (table, columns, rows) => db.copyIn(table, columns, rows),
    close: () => db.close(),
    async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      const started = process.hrtime.bigint();
      let inside = 0;
      const result = await db.transaction(async (tx) => {
        const spent = { seconds: 0 };
        const copy = (table: string, columns: readonly string[], rows: string) =>
          timed(
            () => tx.copyIn(table, columns, rows),
            (took) => {
              timer.statement(`copy ${table}`, took);
              spent.seconds += took;
            },
          );
        const workStarted = process.hrtime.bigint();
        try {
          return await work({ ...timedQueryable(tx, spent), copyIn: copy });
        } finally {
          inside = seconds(workStarted);
          timer.javascript(inside - spent.seconds);
        }
      });
      timer.commit(seconds(started) - inside);
      return result;
    },
  };
}
