import type { FastifyInstance } from 'fastify';
import { pendingMigrations } from '../../../platform/database/migrate.js';
import type { HttpDependencies } from '../../http-dependencies.js';

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

/** Liveness says the process answers; readiness says it can do its job (store reachable, schema current). */
export function registerHealth(app: FastifyInstance, deps: HttpDependencies): void {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['operations'], response: { 200: healthSchema } } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { schema: { summary: 'Readiness: database reachable and migrations current', tags: ['operations'], response: { 200: healthSchema, 503: healthSchema } } },
    async (_request, reply) => {
      let database = 'ok';
      let migrations = 'ok';
      try {
        await deps.db.query('select 1');
        const pending = await pendingMigrations(deps.db);
        if (pending.length > 0) migrations = `pending: ${pending.join(', ')}`;
      } catch (error) {
        database = `unreachable: ${(error as Error).message}`;
        migrations = 'unknown';
      }
      const ready = database === 'ok' && migrations === 'ok';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: { database, migrations } });
    },
  );
}
