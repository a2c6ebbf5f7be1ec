import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import type { Catalog, Meter } from './catalog.js';
import type { CatalogDiff } from './catalog-diff.js';

interface CatalogVersionRow {
  version: number;
  applied_at: Timestamp;
  applied_by: string;
  document: Catalog;
  checksum: string;
  diff: CatalogDiff;
}

/** One stored catalog version: the validated catalog and how it came to be. */
export interface CatalogVersion {
  version: number;
  appliedAt: string;
  appliedBy: string;
  catalog: Catalog;
  /** SHA-256 (hex) of the catalog's canonical JSON. */
  checksum: string;
  /** Against the version before (everything added, for version 1). */
  diff: CatalogDiff;
}

// Versions stored before tax rates existed have no `taxRates` list nor diff: they declared none.
function fromRowCatalogVersion(row: CatalogVersionRow): CatalogVersion {
  const { document, diff } = row as {
    document: Partial<Catalog> & Omit<Catalog, 'taxRates'>;
    diff: Partial<CatalogDiff> & Omit<CatalogDiff, 'taxRates'>;
  };
  return {
    version: Number(row.version),
    appliedAt: new Date(row.applied_at).toISOString(),
    appliedBy: row.applied_by,
    catalog: { ...document, taxRates: document.taxRates ?? [] },
    checksum: row.checksum,
    diff: { ...diff, taxRates: diff.taxRates ?? { added: [], removed: [], changed: [] } },
  };
}

const COLUMNS = 'version, applied_at, applied_by, document, checksum, diff';

/** Serializes applies across processes for the rest of the transaction. */
export async function lockCatalog(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtextextended('catalog_versions', 0))`);
}

export async function findLatestVersion(db: Queryable): Promise<CatalogVersion | undefined> {
  const result = await db.query<CatalogVersionRow>(
    `select ${COLUMNS} from catalog_versions order by version desc limit 1`,
  );
  return result.rows[0] && fromRowCatalogVersion(result.rows[0]);
}

export async function findVersion(db: Queryable, version: number): Promise<CatalogVersion | undefined> {
  const result = await db.query<CatalogVersionRow>(`select ${COLUMNS} from catalog_versions where version = $1`, [
    version,
  ]);
  return result.rows[0] && fromRowCatalogVersion(result.rows[0]);
}

export async function insertVersion(db: Queryable, version: CatalogVersion): Promise<void> {
  await db.query(
    `insert into catalog_versions (version, applied_at, applied_by, document, checksum, diff) values ($1, $2, $3, $4, $5, $6)`,
    [
      version.version,
      version.appliedAt,
      version.appliedBy,
      JSON.stringify(version.catalog),
      version.checksum,
      JSON.stringify(version.diff),
    ],
  );
}

export async function findLatestVersionNumber(db: Queryable): Promise<number | undefined> {
  const result = await db.query<{ version: number | null }>(`select max(version) as version from catalog_versions`);
  const version = result.rows[0]?.version;
  return version === null || version === undefined ? undefined : Number(version);
}

/** Every meter of every version (oldest first), without loading whole documents. */
export async function findMeterHistory(db: Queryable): Promise<{ version: number; meter: Meter }[]> {
  const result = await db.query<{ version: number; meter: Meter }>(
    `select v.version, m.meter from catalog_versions v, jsonb_array_elements(v.document -> 'meters') as m(meter) order by v.version`,
  );
  return result.rows.map((row) => ({ version: Number(row.version), meter: row.meter }));
}
