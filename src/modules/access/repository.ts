import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import type { ApiKeyIdentity, ApiKeySummary, Role } from './access.js';

interface ApiKeyRow {
  id: string;
  role: Role;
  name: string | null;
}

interface ApiKeySummaryRow extends ApiKeyRow {
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

// Only these columns are ever read for a listing: the hash stays in the table.
const SUMMARY_COLUMNS = 'id, role, name, created_at, revoked_at';

function fromRowApiKeySummary(row: ApiKeySummaryRow): ApiKeySummary {
  return {
    id: row.id,
    role: row.role,
    name: row.name,
    createdAt: new Date(row.created_at).toISOString(),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}

export async function insertApiKey(
  db: Queryable,
  row: ApiKeyIdentity & { keyHash: string; createdAt: Date },
): Promise<void> {
  await db.query('insert into api_keys (id, key_hash, role, name, created_at) values ($1, $2, $3, $4, $5)', [
    row.id,
    row.keyHash,
    row.role,
    row.name,
    row.createdAt,
  ]);
}

export async function findActiveKeyByHash(db: Queryable, keyHash: string): Promise<ApiKeyIdentity | undefined> {
  const result = await db.query<ApiKeyRow>(
    'select id, role, name from api_keys where key_hash = $1 and revoked_at is null',
    [keyHash],
  );
  return result.rows[0];
}

/** Every key, oldest first, revoked ones included. */
export async function findApiKeys(db: Queryable): Promise<ApiKeySummary[]> {
  const result = await db.query<ApiKeySummaryRow>(`select ${SUMMARY_COLUMNS} from api_keys order by created_at, id`);
  return result.rows.map(fromRowApiKeySummary);
}

/**
 * Locks the key `id` and every active admin key, in id order, for the rest of the transaction.
 * One statement in one order for every revocation: two admins revoking each other's keys at once
 * queue up instead of deadlocking, and the second one then sees the first one's key as revoked.
 */
export async function lockKeyAndActiveAdmins(db: Queryable, id: string): Promise<ApiKeySummary[]> {
  const result = await db.query<ApiKeySummaryRow>(
    `select ${SUMMARY_COLUMNS} from api_keys where id = $1 or (role = 'admin' and revoked_at is null) order by id for update`,
    [id],
  );
  return result.rows.map(fromRowApiKeySummary);
}

export async function markRevoked(db: Queryable, id: string, at: Date): Promise<ApiKeySummary> {
  const result = await db.query<ApiKeySummaryRow>(
    `update api_keys set revoked_at = $2 where id = $1 returning ${SUMMARY_COLUMNS}`,
    [id, at],
  );
  return fromRowApiKeySummary(result.rows[0] as ApiKeySummaryRow);
}

/** Claims the one-time bootstrap of a new store; true for exactly one caller, however many race. */
export async function claimBootstrap(db: Queryable): Promise<boolean> {
  const result = await db.query(
    `insert into store_meta (key, value) select 'bootstrap_admin_key', 'created'
      where not exists (select 1 from api_keys)
     on conflict (key) do nothing returning key`,
  );
  return result.rows.length === 1;
}
