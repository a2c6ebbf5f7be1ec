import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DatabaseUnavailableError, isConnectionError, translateConnectionError } from './connection-errors.js';
import { copyStatement } from './copy-statement.js';
import type { Database, Queryable, QueryResult } from './database.js';
import { checkOut, isStatementError, type HeldConnection } from './postgres-connection.js';

// numeric and int8 arrive as strings: money and sequence numbers must never pass through a JS float.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => value);

interface PostgresOptions {
  connectionString: string;
  /** Pool size; each concurrent transaction holds one connection. */
  maxConnections?: number;
  /** Schema to use instead of `public` (tests isolate themselves this way). */
  schema?: string;
}

/**
 * Why a statement failed, as callers should see it: a connection failure is a DatabaseUnavailableError
 * (a 503), whatever words the driver or a stream put on it once the connection was gone.
 */
function failureOf(error: unknown, held?: HeldConnection): unknown {
  if (held?.lost && !(error instanceof DatabaseUnavailableError)) return new DatabaseUnavailableError(held.lost);
  return translateConnectionError(error);
}

function wrap(client: pg.Pool | pg.PoolClient, held?: HeldConnection): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>> {
      try {
        const result = await client.query(sql, params as unknown[] | undefined);
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw failureOf(error, held);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await client.query(sql);
      } catch (error) {
        throw failureOf(error, held);
      }
    },
  };
}

async function copyThrough(
  held: HeldConnection,
  table: string,
  columns: readonly string[],
  rows: string,
): Promise<number> {
  try {
    const stream = held.client.query(copyFrom(copyStatement(table, columns, 'stdin')));
    await pipeline(Readable.from([rows]), stream);
    return stream.rowCount;
  } catch (error) {
    // A COPY cut short by a lost connection fails as a stream error (a premature close), not a pg one.
    throw failureOf(error, held);
  }
}

/**
 * A connection with `begin` sent. A pooled connection can die while idle before the pool hears of
 * it; nothing has run on it, so one more try on a new connection is safe and spares the caller a 503
 * after every server restart.
 */
async function begin(pool: pg.Pool): Promise<HeldConnection> {
  for (let attempt = 1; ; attempt += 1) {
    const held = await checkOut(pool);
    try {
      await held.client.query('begin');
      return held;
    } catch (error) {
      // A session that cannot even begin is not one to hand out again.
      held.discard(error);
      held.release(error);
      if (attempt >= 2 || !isConnectionError(error)) throw translateConnectionError(error);
    }
  }
}

/**
 * Commits the held transaction. A transaction in which a statement failed is aborted, and PostgreSQL
 * answers its COMMIT with ROLLBACK, not an error: work that caught that statement's error and went on
 * would otherwise believe its writes were kept.
 */
async function commit(held: HeldConnection): Promise<void> {
  let command: string;
  try {
    command = (await held.client.query('commit')).command;
  } catch (error) {
    throw failureOf(error, held);
  }
  if (command === 'ROLLBACK')
    throw new Error(
      'the transaction was rolled back at commit: a statement in it had failed, and its error was caught',
    );
}

export async function openPostgresDatabase(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    // A host that drops packets must not hang start-up until the kernel gives up on TCP.
    connectionTimeoutMillis: 10_000,
    // A server that vanished without closing the socket (a partition, a killed VM) is noticed by TCP
    // keep-alive rather than only when the next statement times out.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Operators find our sessions in pg_stat_activity; an application_name in the URL wins.
    fallback_application_name: 'meterbridge',
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  });
  // An idle client that loses its server is removed from the pool by pg itself; without a listener
  // the event would end the process. The next statement reports the outage on a new connection.
  pool.on('error', () => undefined);
  // Every connection keeps a listener of its own as well: pg emits 'error' on a connection its server ends
  // (57P01), also while the pool is closing it or hands it over, when no other listener may be attached;
  // unheard, that event would end the process. The statement in flight reports the failure itself.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const direct = wrap(pool);
  try {
    await direct.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return {
    kind: 'postgres',
    query: direct.query,
    exec: direct.exec,
    async transaction(work) {
      const held = await begin(pool);
      let failure: unknown;
      try {
        const result = await work({
          ...wrap(held.client, held),
          copyIn: (table, columns, rows) => copyThrough(held, table, columns, rows),
        });
        // A commit cut off before its answer may or may not have committed: the caller gets a 503
        // either way. An event batch retried after one is safe (dedup on source and id).
        await commit(held);
        return result;
      } catch (error) {
        failure = error;
        // A connection that is gone rolled back on the server with it; one that cannot even roll
        // back is discarded rather than returned to the pool in an unknown state.
        if (!held.lost)
          await held.client.query('rollback').catch((rollbackError: unknown) => held.discard(rollbackError));
        // Statements already report a lost connection as such; what `work` itself threw stays as is.
        throw translateConnectionError(error);
      } finally {
        held.release(failure);
      }
    },
    async copyIn(table, columns, rows) {
      const held = await checkOut(pool);
      let failure: unknown;
      try {
        return await copyThrough(held, table, columns, rows);
      } catch (error) {
        failure = error;
        // The server ends a COPY it refused (a unique violation) and the session goes on; after
        // anything else the connection may still be mid-COPY.
        if (!isStatementError(error)) held.discard(error);
        throw error;
      } finally {
        held.release(failure);
      }
    },
    close: () => pool.end(),
  };
}
