import type { FastifyInstance } from 'fastify';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  DatabaseUnavailableError,
} from '../../../platform/database/connection-errors.js';
import { pendingMigrations } from '../../../platform/database/migrate.js';
import type { HttpDependencies } from '../../http-dependencies.js';

// A probe that hangs is as bad as one that fails, and orchestrators time probes out after a second or
// two: a database that does not answer within this is reported unreachable.
const READINESS_DEADLINE_MS = 2000;

const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: {
      type: 'object',
      properties: {
        database: { type: 'string' },
        migrations: { type: 'string' },
      },
    },
  },
} as const;

async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness says the process answers, and never touches the store: restarting a healthy process
 * because its database is down would not bring the database back. Readiness says it can do its job
 * (store reachable, schema current), so a load balancer sends traffic elsewhere meanwhile.
 */
export function registerHealth(app: FastifyInstance, deps: HttpDependencies): void {
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: healthSchema } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Readiness: database reachable and migrations current',
        tags: ['operations'],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      let database = 'ok';
      let migrations = 'ok';
      try {
        const pending = await withinDeadline(
          deps.db.query('select 1').then(() => pendingMigrations(deps.db)),
          READINESS_DEADLINE_MS,
        );
        if (pending.length > 0) migrations = `pending: ${pending.join(', ')}`;
      } catch (error) {
        database = `unreachable: ${error instanceof DatabaseUnavailableError ? error.reason : (error as Error).message}`;
        migrations = 'unknown';
        reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      }
      const ready = database === 'ok' && migrations === 'ok';
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ok' : 'unavailable', checks: { database, migrations } });
    },
  );
}
