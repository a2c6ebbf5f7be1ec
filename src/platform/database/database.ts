/**
 * The one structural interface every module talks to. Two drivers implement it (PGlite embedded,
 * PostgreSQL server through `pg`); SQL is PostgreSQL's dialect on both, so modules never know which.
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

type DatabaseKind = 'pglite' | 'postgres';

/** A statement source inside one transaction: queries, and COPY that commits or rolls back with it. */
export interface Transaction extends Queryable {
  /** Bulk-loads COPY text rows as one statement of the transaction; a failure aborts the transaction (or its savepoint). */
  copyIn(table: string, columns: readonly string[], rows: string): Promise<number>;
}

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * On PGlite transactions are serialized (one connection); on PostgreSQL each takes a pooled connection.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Bulk-loads rows in COPY text format (see `copy-text.ts`) as one statement: all rows or, on any
   * error (a unique violation, say), none. Returns the number of rows loaded.
   */
  copyIn(table: string, columns: readonly string[], rows: string): Promise<number>;
  close(): Promise<void>;
}
