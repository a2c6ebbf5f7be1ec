import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { currentCatalogSchema } from './catalog-route-schemas.js';
import { currentCatalogVersion } from './current-catalog-version.js';
import { toApiCurrentCatalog } from './to-api-catalog.js';

export function registerGetCatalog(app: FastifyInstance, deps: HttpDependencies): void {
  app.get(
    '/v1/catalog',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'Read the current catalog version',
        tags: ['catalog'],
        security: [{ bearer: [] }],
        response: {
          200: { ...currentCatalogSchema, description: 'The latest applied version.' },
          404: problemResponse('No catalog has been applied yet.'),
          ...authProblemResponses,
        },
      },
    },
    async () => toApiCurrentCatalog(await currentCatalogVersion(deps.catalog)),
  );
}
