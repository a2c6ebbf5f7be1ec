import { isTransientUnavailability } from '../platform/database/connection-errors.js';
import type { Logger } from '../platform/logger.js';

export type EscapedErrorOrigin = 'uncaughtException' | 'unhandledRejection';

/**
 * What a long-running process does with an error nobody handled. Every database error is meant to be
 * handled where it happens (a 503, a paused worker); one that still escapes (a driver event nobody
 * listened to) must not end a server whose only trouble is a database restarting, so it is logged and
 * survived. Any other escaped error is a bug that leaves state we cannot trust: logged as fatal, and
 * the process exits 1, as Node itself would have done, so a supervisor restarts it.
 */
export function escapedErrorHandler(logger: Logger, exit: (code: number) => void) {
  return (error: unknown, origin: EscapedErrorOrigin): void => {
    if (isTransientUnavailability(error)) {
      logger.warn({ err: error, origin }, 'a database connection error escaped its caller; the server keeps running');
      return;
    }
    logger.fatal({ err: error, origin }, 'unexpected error; exiting');
    exit(1);
  };
}

/** Installs `escapedErrorHandler` for the process; returns a function that removes it. */
export function installProcessGuards(logger: Logger): () => void {
  const handle = escapedErrorHandler(logger, (code) => process.exit(code));
  const onException = (error: unknown) => handle(error, 'uncaughtException');
  const onRejection = (error: unknown) => handle(error, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
