import type { Database } from '../../src/platform/database/database.js';

// The tables a request can write to: a refused request must leave every count as it was.
const TABLES = [
  'raw_events',
  'catalog_versions',
  'event_schemas',
  'audit_log',
  'api_keys',
  'billing_runs',
  'invoices',
  'outbox',
  'metering_exceptions',
] as const;

export type RowCounts = Record<(typeof TABLES)[number], number>;

export async function rowCounts(db: Database): Promise<RowCounts> {
  const columns = TABLES.map((table) => `(select count(*) from ${table})::int as ${table}`).join(', ');
  const result = await db.query<RowCounts>(`select ${columns}`);
  return result.rows[0] as RowCounts;
}
