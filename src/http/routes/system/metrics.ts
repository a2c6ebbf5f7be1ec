import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';

export function registerMetrics(app: FastifyInstance, deps: HttpDependencies): void {
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['operations'], produces: ['text/plain'] } },
    async (_request, reply) => reply.type(deps.metrics.contentType).send(await deps.metrics.metrics()),
  );
}
