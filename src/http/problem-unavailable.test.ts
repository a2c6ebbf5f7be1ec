import fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../platform/database/connection-errors.js';
import { ServiceUnavailableError } from '../platform/errors.js';
import { silentLogger } from '../platform/logger.js';
import { problemErrorHandler, toProblem } from './problem.js';

describe('service unavailable problems', () => {
  it('map to 503 with the category as type and no driver detail', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED db.internal:5432'), { code: 'ECONNREFUSED' });
    expect(toProblem(new DatabaseUnavailableError(cause), silentLogger)).toEqual({
      type: 'urn:meterbridge:problem:service-unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: 'the database is unavailable (ECONNREFUSED); retry after 5 s',
    });
  });

  it('are sent with Retry-After in whole seconds', async () => {
    const app = fastify();
    app.setErrorHandler(problemErrorHandler(silentLogger));
    app.get('/', async () => {
      throw new ServiceUnavailableError('down', 2.5);
    });
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('3');
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    await app.close();
  });
});
