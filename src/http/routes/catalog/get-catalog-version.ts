import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { catalogVersionSchema } from './catalog-route-schemas.js';
import { toApiCatalogVersion } from './to-api-catalog.js';

export function registerGetCatalogVersion(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { version: number } }>(
    '/v1/catalog/versions/:version',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'Read one catalog version with its diff against the version before',
        tags: ['catalog'],
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          required: ['version'],
          properties: { version: { type: 'integer', minimum: 1, maximum: 999999999 } },
        },
        response: {
          200: { ...catalogVersionSchema, description: 'The version.' },
          400: problemResponse('The version is not a positive integer.'),
          404: problemResponse('No such version.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => toApiCatalogVersion(await deps.catalog.get(request.params.version)),
  );
}
