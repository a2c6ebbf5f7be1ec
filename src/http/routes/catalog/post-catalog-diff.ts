import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { catalogFileName, catalogFileText } from './catalog-file-body.js';
import { catalogDiffResultSchema, catalogFileBodySchema } from './catalog-route-schemas.js';
import { toApiCatalogDiffResult } from './to-api-catalog.js';

export function registerPostCatalogDiff(app: FastifyInstance, deps: HttpDependencies): void {
  app.post(
    '/v1/catalog/diff',
    {
      onRequest: requirePermission(deps.access, 'admin'),
      schema: {
        summary: 'Compare a catalog file with the current version, changing nothing',
        description:
          'Validates the file as `POST /v1/catalog` would and answers what applying it would change, and why an apply would be refused.',
        tags: ['catalog'],
        security: [{ bearer: [] }],
        body: catalogFileBodySchema,
        response: {
          200: { ...catalogDiffResultSchema, description: 'The diff against the current version.' },
          400: problemResponse('Invalid file, each error with its path (syntax errors as file:line:column).'),
          ...authProblemResponses,
          413: problemResponse('The file is over the 1 MiB body limit.'),
          415: problemResponse('Not YAML or JSON, or not UTF-8.'),
        },
      },
    },
    async (request) => {
      const fileName = catalogFileName(request.headers['content-type']);
      return toApiCatalogDiffResult(await deps.catalog.diff(catalogFileText(request.body), fileName));
    },
  );
}
