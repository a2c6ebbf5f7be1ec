import type { Queryable } from '../../platform/database/database.js';
import type { Catalog } from './catalog.js';
import type { CatalogService } from './service.js';

/** A catalog version by number, read in the caller's transaction. */
export type DraftedCatalog = (version: number, tx: Queryable) => Promise<Catalog>;

// Versions kept in memory: the ones drafts are drawn with are the last few.
const CACHED_VERSIONS = 4;

/**
 * Catalog versions by number, the last few kept: a version never changes once applied, and reading one
 * (every subscription of the catalog) took longer than the rest of finalizing an invoice.
 */
export function cachedCatalogVersions(catalog: CatalogService): DraftedCatalog {
  const cache = new Map<number, Catalog>();
  return async (version, tx) => {
    const cached = cache.get(version);
    if (cached) return cached;
    const read = (await catalog.get(version, tx)).catalog;
    cache.set(version, read);
    for (const oldest of cache.keys()) if (cache.size > CACHED_VERSIONS) cache.delete(oldest);
    return read;
  };
}
