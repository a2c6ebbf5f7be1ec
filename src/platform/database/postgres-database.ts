import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { copyStatement } from './copy-statement.js';
import type { Database, Queryable, QueryResult } from './database.js';

// numeric and int8 arrive as strings: money and sequence numbers must never pass through a JS float.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => value);

export interface PostgresOptions {
  connectionString: string;
  /** Pool size; each concurrent transaction holds one connection. */
  maxConnections?: number;
  /** Schema to use instead of `public` (tests isolate themselves this way). */
  schema?: string;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      const result = await client.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

async function copyThrough(client: pg.PoolClient, table: string, columns: readonly string[], rows: string): Promise<number> {
  const stream = client.query(copyFrom(copyStatement(table, columns, 'stdin')));
  await pipeline(Readable.from([rows]), stream);
  return stream.rowCount;
}

export async function openPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    // A host that drops packets must not hang start-up until the kernel gives up on TCP.
    connectionTimeoutMillis: 10_000,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  });
  // An idle client that loses its server must not crash the process; the next query reports the error.
  pool.on('error', () => undefined);
  const direct = wrap(pool);
  await direct.query('select 1');
  return {
    kind: 'postgres',
    query: direct.query,
    exec: direct.exec,
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await work({ ...wrap(client), copyIn: (table, columns, rows) => copyThrough(client, table, columns, rows) });
        await client.query('commit');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is discarded rather than returned to the pool.
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async copyIn(table, columns, rows) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await copyThrough(client, table, columns, rows);
      } catch (error) {
        // The server ends a failed COPY and the connection stays usable; anything else is discarded.
        if (!(error as { code?: string }).code) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
