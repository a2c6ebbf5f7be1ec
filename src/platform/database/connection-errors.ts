import { isAppError, ServiceUnavailableError } from '../errors.js';

/**
 * Seconds a client is told to wait (`Retry-After`) while the database is unreachable: about what a
 * PostgreSQL restart or fail-over takes. The pool reconnects on the first request after that, so a
 * shorter outage costs the client this long at most.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// SQLSTATEs that say the session, not the statement, is gone or refused: admin_shutdown,
// crash_shutdown, cannot_connect_now (starting up or shutting down), too_many_connections.
const SESSION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// Class 08 is "connection exception" as a whole.
const CONNECTION_CLASS = '08';
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
// What `pg` says when a socket ends under it, a checked-out client is no longer usable, or a
// connection attempt outlives `connectionTimeoutMillis`; these errors carry no code.
const DRIVER_MESSAGES = [/^Connection terminated/, /is not queryable/, /^timeout exceeded when trying to connect/];

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True when `error` says the connection to the database failed or was cut, rather than that the
 * statement was wrong: retrying on a new connection may succeed. Unique violations, syntax errors,
 * serialization failures and the like are not connection errors.
 */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 3) return false;
  const code = codeOf(error);
  if (code !== undefined) {
    if (SESSION_SQLSTATES.has(code) || SOCKET_CODES.has(code)) return true;
    if (code.length === 5 && code.startsWith(CONNECTION_CLASS)) return true;
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Node's connect() to a host with several addresses fails with an AggregateError of each attempt.
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every((inner) => isConnectionError(inner, depth + 1));
}

/** A short, secret-free name for a connection error: its code, or pg's own words (which name no host). */
function reasonOf(cause: unknown): string {
  if (cause === null || typeof cause !== 'object') return 'connection failed';
  const code = codeOf(cause);
  if (code) return code;
  const message = (cause as { message?: unknown }).message;
  return typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message))
    ? message
    : 'connection failed';
}

/** The database cannot be reached right now; `cause` keeps the driver's error for the logs. */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  /** Why, in a few words fit for a client: `ECONNREFUSED`, `57P01`, `Connection terminated unexpectedly`. */
  readonly reason: string;

  constructor(cause: unknown) {
    // The driver's message names host and port; the reason alone says enough to a client.
    const reason = reasonOf(cause);
    super(
      `the database is unavailable (${reason}); retry after ${DATABASE_RETRY_AFTER_SECONDS} s`,
      DATABASE_RETRY_AFTER_SECONDS,
      { cause },
    );
    this.reason = reason;
  }
}

/** `error` as a DatabaseUnavailableError when it is a connection error; any other error unchanged. */
export function translateConnectionError(error: unknown): unknown {
  if (isAppError(error) || !isConnectionError(error)) return error;
  return new DatabaseUnavailableError(error);
}

/** True for an error that says a dependency is down for now (the database, mostly): wait and retry. */
export function isTransientUnavailability(error: unknown): boolean {
  return (isAppError(error) && error.category === 'service_unavailable') || isConnectionError(error);
}
