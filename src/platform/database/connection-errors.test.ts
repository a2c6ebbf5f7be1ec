import { describe, expect, it } from 'vitest';
import { ConflictError } from '../errors.js';
import {
  DatabaseUnavailableError,
  isConnectionError,
  isTransientUnavailability,
  translateConnectionError,
} from './connection-errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionError', () => {
  it.each([
    [
      'admin_shutdown (a terminated backend, a restart)',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['crash_shutdown', withCode('57P02')],
    ['cannot_connect_now (starting up)', withCode('57P03', 'the database system is starting up')],
    ['too_many_connections', withCode('53300')],
    ['connection_failure', withCode('08006')],
    ['protocol_violation', withCode('08P01')],
    ['a refused socket', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset socket', withCode('ECONNRESET')],
    ['a socket timeout', withCode('ETIMEDOUT')],
    ['pg on a socket that ended', new Error('Connection terminated unexpectedly')],
    ['pg on a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg-pool on a connect timeout', new Error('timeout exceeded when trying to connect')],
    ['pg on a client that already failed', new Error('Client has encountered a connection error and is not queryable')],
    [
      'every address of a host refusing',
      Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]), {}),
    ],
  ])('is true for %s', (_label, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a serialization failure', withCode('40001')],
    ['a syntax error', withCode('42601')],
    ['query_canceled', withCode('57014')],
    ['a plain error', new Error('connection failed: something')],
    ['a string', 'Connection terminated'],
    ['null', null],
  ])('is false for %s', (_label, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});

describe('translateConnectionError', () => {
  it('makes a connection error a 503-category error that names the code but not the host', () => {
    const cause = withCode('ECONNREFUSED', 'connect ECONNREFUSED db.internal:5432');
    const translated = translateConnectionError(cause);
    expect(translated).toBeInstanceOf(DatabaseUnavailableError);
    expect(translated).toMatchObject({ category: 'service_unavailable', retryAfter: 5, reason: 'ECONNREFUSED', cause });
    expect((translated as Error).message).toBe('the database is unavailable (ECONNREFUSED); retry after 5 s');
  });

  it('leaves statement errors and our own errors as they are', () => {
    const unique = withCode('23505');
    const conflict = new ConflictError('no');
    expect(translateConnectionError(unique)).toBe(unique);
    expect(translateConnectionError(conflict)).toBe(conflict);
  });

  it('counts both the translated and the raw error as a transient unavailability', () => {
    expect(isTransientUnavailability(new DatabaseUnavailableError(withCode('57P01')))).toBe(true);
    expect(isTransientUnavailability(withCode('57P01'))).toBe(true);
    expect(isTransientUnavailability(new ConflictError('no'))).toBe(false);
  });
});
