import type pg from 'pg';
import { DatabaseUnavailableError, isConnectionError, translateConnectionError } from './connection-errors.js';

/** A connection taken from the pool, watched until it goes back. */
export interface HeldConnection {
  readonly client: pg.PoolClient;
  /** What pg reported on the connection while it was held, when its server went away meanwhile. */
  readonly lost: Error | undefined;
  /** Marks the connection as unfit for reuse (a failed rollback, a COPY cut short). */
  discard(reason: unknown): void;
  /** Back to the pool; closed instead when it was lost, discarded, or `failure` was a connection error. */
  release(failure?: unknown): void;
}

/** True for an error PostgreSQL itself reported about a statement (it has a SQLSTATE); the session survives those. */
export function isStatementError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !isConnectionError(error);
}

/**
 * Takes a connection from the pool. While the pool holds a connection it listens for its errors; once
 * handed out nobody does, and pg emits 'error' on a connection whose server ends it (a restart, an
 * admin's pg_terminate_backend). An 'error' event without a listener ends the process, so we listen
 * for as long as we hold it.
 */
export async function checkOut(pool: pg.Pool): Promise<HeldConnection> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translateConnectionError(error);
  }
  let lost: Error | undefined;
  let discarded: unknown;
  const onError = (error: Error) => {
    lost ??= error;
  };
  client.on('error', onError);
  return {
    client,
    get lost() {
      return lost;
    },
    discard(reason) {
      discarded ??= reason ?? new Error('discarded');
    },
    release(failure) {
      const connectionFailed =
        failure !== undefined && (failure instanceof DatabaseUnavailableError || isConnectionError(failure));
      const broken = lost ?? discarded ?? (connectionFailed ? failure : undefined);
      // A broken connection is closed by the pool, and its server may still say why (57P01, terminated by
      // an administrator) while it closes: keep listening to it, or that late 'error' ends the process.
      if (broken === undefined) client.off('error', onError);
      // pg closes a client released with an error instead of pooling it again.
      client.release(broken === undefined ? undefined : broken instanceof Error ? broken : new Error(String(broken)));
    },
  };
}
