import { describe, expect, it, vi } from 'vitest';
import { DatabaseUnavailableError } from '../platform/database/connection-errors.js';
import { silentLogger } from '../platform/logger.js';
import { escapedErrorHandler } from './process-guards.js';

describe('escapedErrorHandler', () => {
  const handler = () => {
    const logger = { ...silentLogger, warn: vi.fn(), fatal: vi.fn() };
    const exit = vi.fn();
    return { handle: escapedErrorHandler(logger as unknown as typeof silentLogger, exit), logger, exit };
  };

  it('survives a database connection error that escaped, logging a warning', () => {
    const { handle, logger, exit } = handler();
    handle(
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      'uncaughtException',
    );
    handle(new DatabaseUnavailableError(new Error('Connection terminated unexpectedly')), 'unhandledRejection');
    expect(exit).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledTimes(2);
  });

  it('exits 1 on any other escaped error, logging it as fatal', () => {
    const { handle, logger, exit } = handler();
    handle(new TypeError('a bug'), 'uncaughtException');
    expect(logger.fatal).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(1);
  });
});
