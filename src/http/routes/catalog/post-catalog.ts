import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import { requestActor } from '../../request-actor.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { catalogFileName, catalogFileText } from './catalog-file-body.js';
import { appliedCatalogSchema, catalogFileBodySchema } from './catalog-route-schemas.js';
import { toApiAppliedCatalog } from './to-api-catalog.js';

export function registerPostCatalog(app: FastifyInstance, deps: HttpDependencies): void {
  app.post(
    '/v1/catalog',
    {
      onRequest: requirePermission(deps.access, 'admin'),
      schema: {
        summary: 'Apply a catalog file as the next catalog version',
        description:
          'The file is checked whole and refused whole. A file equal to the current version (in any order) creates nothing and answers 200 with that version.',
        tags: ['catalog'],
        security: [{ bearer: [] }],
        body: catalogFileBodySchema,
        response: {
          200: { ...appliedCatalogSchema, description: 'Unchanged: the current version.' },
          201: { ...appliedCatalogSchema, description: 'Applied as a new version.' },
          400: problemResponse('Invalid file, each error with its path (syntax errors as file:line:column).'),
          ...authProblemResponses,
          409: problemResponse('Meter definitions changed without a later effectiveFrom, each with its path.'),
          413: problemResponse('The file is over the 1 MiB body limit.'),
          415: problemResponse('Not YAML or JSON, or not UTF-8.'),
        },
      },
    },
    async (request, reply) => {
      const fileName = catalogFileName(request.headers['content-type']);
      // requirePermission has set apiKey; the key id (never the secret) records who applied the version.
      const appliedBy = requestActor(request);
      const result = await deps.catalog.apply(catalogFileText(request.body), fileName, appliedBy);
      return reply.status(result.created ? 201 : 200).send(toApiAppliedCatalog(result));
    },
  );
}
