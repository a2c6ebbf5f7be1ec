import type { CatalogService, CatalogVersion } from '../../../modules/catalog/index.js';
import { NotFoundError } from '../../../platform/errors.js';

/** The current version, or the 404 every read of "the current catalog" answers before the first apply. */
export async function currentCatalogVersion(catalog: CatalogService): Promise<CatalogVersion> {
  const current = await catalog.current();
  if (!current) throw new NotFoundError('no catalog has been applied yet');
  return current;
}
