import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { schemaParams, schemaVersionSchema } from './schema-route-schemas.js';

export function registerGetSchema(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { type: string; version: number } }>(
    '/v1/event-types/:type/schemas/:version',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'Read one schema version',
        tags: ['schemas'],
        security: [{ bearer: [] }],
        params: schemaParams,
        response: { 200: schemaVersionSchema, 404: problemResponse('No such version.'), ...authProblemResponses },
      },
    },
    async (request) => deps.schemas.get(request.params.type, request.params.version),
  );
}
