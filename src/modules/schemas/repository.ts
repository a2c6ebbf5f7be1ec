import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import type { Compatibility, SchemaVersion } from './schemas.js';

interface SchemaRow {
  event_type: string;
  version: number;
  schema: Record<string, unknown>;
  schema_hash: string;
  compatibility: Compatibility;
  created_at: Timestamp;
}

export type StoredSchema = SchemaVersion & { schemaHash: string };

function fromRowSchema(row: SchemaRow): StoredSchema {
  return {
    eventType: row.event_type,
    version: row.version,
    schema: row.schema,
    schemaHash: row.schema_hash,
    compatibility: row.compatibility,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const COLUMNS = 'event_type, version, schema, schema_hash, compatibility, created_at';

/** Serializes registrations of one type across processes for the rest of the transaction. */
export async function lockEventType(db: Queryable, eventType: string): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtextextended('event_schemas:' || $1, 0))`, [eventType]);
}

export async function findSchema(db: Queryable, eventType: string, version: number): Promise<StoredSchema | undefined> {
  const result = await db.query<SchemaRow>(`select ${COLUMNS} from event_schemas where event_type = $1 and version = $2`, [eventType, version]);
  return result.rows[0] && fromRowSchema(result.rows[0]);
}

export async function findLatestSchema(db: Queryable, eventType: string): Promise<StoredSchema | undefined> {
  const result = await db.query<SchemaRow>(
    `select ${COLUMNS} from event_schemas where event_type = $1 order by version desc limit 1`,
    [eventType],
  );
  return result.rows[0] && fromRowSchema(result.rows[0]);
}

export async function listSchemas(db: Queryable, eventType: string): Promise<StoredSchema[]> {
  const result = await db.query<SchemaRow>(`select ${COLUMNS} from event_schemas where event_type = $1 order by version`, [eventType]);
  return result.rows.map(fromRowSchema);
}

export async function insertSchema(db: Queryable, schema: StoredSchema): Promise<void> {
  await db.query(
    `insert into event_schemas (event_type, version, schema, schema_hash, compatibility, created_at)
     values ($1, $2, $3, $4, $5, $6)`,
    [schema.eventType, schema.version, JSON.stringify(schema.schema), schema.schemaHash, schema.compatibility, schema.createdAt],
  );
}

export async function latestVersions(db: Queryable, eventTypes: readonly string[]): Promise<Map<string, number>> {
  const result = await db.query<{ event_type: string; latest: number }>(
    `select event_type, max(version) as latest from event_schemas where event_type = any($1::text[]) group by event_type`,
    [eventTypes],
  );
  return new Map(result.rows.map((row) => [row.event_type, Number(row.latest)]));
}

export async function findSchemas(
  db: Queryable,
  keys: ReadonlyArray<{ eventType: string; version: number }>,
): Promise<StoredSchema[]> {
  const result = await db.query<SchemaRow>(
    `select ${COLUMNS} from event_schemas
      join unnest($1::text[], $2::int[]) as k(t, v) on event_type = k.t and version = k.v`,
    [keys.map((key) => key.eventType), keys.map((key) => key.version)],
  );
  return result.rows.map(fromRowSchema);
}
