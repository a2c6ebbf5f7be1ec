import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses } from '../../problem-schema.js';
import { meteringStatusSchema } from './metering-route-schemas.js';

export function registerGetMeteringStatus(app: FastifyInstance, deps: HttpDependencies): void {
  app.get(
    '/v1/metering/status',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'How far metering is behind, what it counts as telemetry, and its exceptions by status and reason',
        tags: ['metering'],
        security: [{ bearer: [] }],
        response: {
          200: { ...meteringStatusSchema, description: "The metering stage's state now." },
          ...authProblemResponses,
        },
      },
    },
    async () => {
      const [lag, telemetry, exceptions] = await Promise.all([
        deps.metering.lag(),
        deps.metering.telemetry(),
        deps.metering.exceptions.counts(),
      ]);
      return {
        lag,
        telemetry: telemetry.map((tally) => ({
          eventType: tally.eventType,
          events: tally.events,
          lastEventTime: tally.lastEventTime.toISOString(),
        })),
        exceptions,
      };
    },
  );
}
