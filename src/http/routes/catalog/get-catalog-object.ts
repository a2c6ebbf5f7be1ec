import type { FastifyInstance } from 'fastify';
import { objectKey } from '../../../modules/catalog/index.js';
import { NotFoundError } from '../../../platform/errors.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { catalogObjectParams, catalogObjectSchema } from './catalog-route-schemas.js';
import { currentCatalogVersion } from './current-catalog-version.js';
import { unknownKind } from './list-catalog-objects.js';
import { fromApiCatalogKind } from './to-api-catalog.js';

export function registerGetCatalogObject(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { kind: string; key: string } }>(
    '/v1/catalog/:kind/:key',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'Read one object of the current catalog version',
        tags: ['catalog'],
        security: [{ bearer: [] }],
        params: catalogObjectParams,
        response: {
          200: { ...catalogObjectSchema, description: 'The object.' },
          404: problemResponse('Unknown kind, no such key, or no catalog applied yet.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const { kind: urlKind, key } = request.params;
      const kind = fromApiCatalogKind(urlKind);
      if (!kind) throw unknownKind(urlKind);
      const current = await currentCatalogVersion(deps.catalog);
      const found = current.catalog[kind].find((object) => objectKey(kind, object) === key);
      if (!found)
        throw new NotFoundError(`catalog version ${current.version} has no ${urlKind} object ${JSON.stringify(key)}`);
      return { version: current.version, kind: urlKind, key, object: found };
    },
  );
}
