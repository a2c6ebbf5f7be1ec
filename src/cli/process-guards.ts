import { isTransientUnavailability } from '../platform/database/connection-errors.js';
import type { Logger } from '../platform/logger.js';

/**
 * The last resort of a long-running process. Every database error is meant to be handled where it
 * happens (a 503, a paused worker); one that still escapes (a driver event nobody listened to) must
 * not end a server whose only trouble is a database restarting, so it is logged and survived. Any
 * other escaped error is a bug that leaves state we cannot trust: logged as fatal, and the process
 * exits 1, as Node itself would have done, so a supervisor restarts it.
 * Returns a function that removes the guards.
 */
export function installProcessGuards(logger: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const guard = (origin: 'uncaughtException' | 'unhandledRejection') => (error: unknown) => {
    if (isTransientUnavailability(error)) {
      logger.warn({ err: error, origin }, 'a database connection error escaped its caller; the server keeps running');
      return;
    }
    logger.fatal({ err: error, origin }, 'unexpected error; exiting');
    exit(1);
  };
  const onException = guard('uncaughtException');
  const onRejection = guard('unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}
