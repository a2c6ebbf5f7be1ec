import type { FastifyInstance } from 'fastify';
import type { HttpDependencies } from '../../http-dependencies.js';
import { CATALOG_MEDIA_TYPES, parseCatalogFileBody } from './catalog-file-body.js';
import { registerGetCatalog } from './get-catalog.js';
import { registerGetCatalogObject } from './get-catalog-object.js';
import { registerGetCatalogVersion } from './get-catalog-version.js';
import { registerListCatalogObjects } from './list-catalog-objects.js';
import { registerPostCatalog } from './post-catalog.js';
import { registerPostCatalogDiff } from './post-catalog-diff.js';

/**
 * The catalog routes, in their own scope: there (only) YAML and JSON bodies arrive as text, for the
 * catalog module to parse exactly as it parses a file. Any other content type is a 415.
 */
export async function registerCatalogRoutes(app: FastifyInstance, deps: HttpDependencies): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(CATALOG_MEDIA_TYPES, { parseAs: 'buffer' }, parseCatalogFileBody);
    registerPostCatalogDiff(scope, deps);
    registerPostCatalog(scope, deps);
    registerGetCatalog(scope, deps);
    registerGetCatalogVersion(scope, deps);
    registerListCatalogObjects(scope, deps);
    registerGetCatalogObject(scope, deps);
  });
}
