import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses } from '../../problem-schema.js';
import { serviceLevelReportSchema } from './alert-route-schemas.js';

export function registerGetServiceLevels(app: FastifyInstance, deps: HttpDependencies): void {
  app.get(
    '/v1/service-levels',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: "Each service-level objective's attainment over its window: met, missed or no data",
        tags: ['alerts'],
        security: [{ bearer: [] }],
        querystring: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: { ...serviceLevelReportSchema, description: 'Attainment now.' }, ...authProblemResponses },
      },
    },
    async () => deps.serviceLevels.report(),
  );
}
