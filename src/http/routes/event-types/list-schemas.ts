import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { schemaSummarySchema } from './schema-route-schemas.js';

export function registerListSchemas(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { type: string } }>(
    '/v1/event-types/:type/schemas',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'List the schema versions of an event type',
        tags: ['schemas'],
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          required: ['type'],
          properties: { type: { type: 'string', minLength: 1, maxLength: 256 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['versions'],
            properties: { versions: { type: 'array', items: schemaSummarySchema } },
          },
          404: problemResponse('No schema registered for this type.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => ({ versions: await deps.schemas.list(request.params.type) }),
  );
}
