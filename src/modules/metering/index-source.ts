import type { Queryable } from '../../platform/database/database.js';
import type { CatalogService } from '../catalog/index.js';
import { buildMeteringIndex, type MeteringIndex } from './metering-index.js';

export interface MeteringIndexSource {
  /** The index of the current catalog version; undefined before any catalog is applied. */
  current(): Promise<MeteringIndex | undefined>;
  /** Whether `index` is still the latest catalog version, read in the caller's transaction. */
  isCurrent(tx: Queryable, index: MeteringIndex): Promise<boolean>;
}

/** Rebuilds the index only when a new catalog version appears (one cheap query per call otherwise). */
export function createMeteringIndexSource(catalog: CatalogService): MeteringIndexSource {
  let cached: MeteringIndex | undefined;
  return {
    async current() {
      const version = await catalog.currentVersionNumber();
      if (version === undefined) return undefined;
      if (cached?.version === version) return cached;
      const [current, history] = await Promise.all([catalog.get(version), catalog.meterHistory()]);
      cached = buildMeteringIndex(version, current.catalog, history);
      return cached;
    },
    isCurrent: async (tx, index) => (await catalog.currentVersionNumber(tx)) === index.version,
  };
}
