import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../../platform/errors.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { catalogKindParams, catalogObjectListSchema } from './catalog-route-schemas.js';
import { currentCatalogVersion } from './current-catalog-version.js';
import { CATALOG_URL_KINDS, fromApiCatalogKind } from './to-api-catalog.js';

export function unknownKind(urlKind: string): NotFoundError {
  return new NotFoundError(
    `there is no catalog kind ${JSON.stringify(urlKind)}; the kinds are ${CATALOG_URL_KINDS.join(', ')}`,
  );
}

export function registerListCatalogObjects(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { kind: string } }>(
    '/v1/catalog/:kind',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'List the objects of one kind in the current catalog version',
        tags: ['catalog'],
        security: [{ bearer: [] }],
        params: catalogKindParams,
        response: {
          200: { ...catalogObjectListSchema, description: 'The objects, in the order of the applied file.' },
          404: problemResponse('Unknown kind, or no catalog applied yet.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const kind = fromApiCatalogKind(request.params.kind);
      if (!kind) throw unknownKind(request.params.kind);
      const current = await currentCatalogVersion(deps.catalog);
      return { version: current.version, kind: request.params.kind, items: current.catalog[kind] };
    },
  );
}
