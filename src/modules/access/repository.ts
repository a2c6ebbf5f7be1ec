import type { Queryable } from '../../platform/database/database.js';
import type { ApiKeyIdentity, Role } from './access.js';

interface ApiKeyRow {
  id: string;
  role: Role;
  name: string | null;
}

export async function insertApiKey(db: Queryable, row: ApiKeyIdentity & { keyHash: string }): Promise<void> {
  await db.query('insert into api_keys (id, key_hash, role, name) values ($1, $2, $3, $4)', [row.id, row.keyHash, row.role, row.name]);
}

export async function findActiveKeyByHash(db: Queryable, keyHash: string): Promise<ApiKeyIdentity | undefined> {
  const result = await db.query<ApiKeyRow>('select id, role, name from api_keys where key_hash = $1 and revoked_at is null', [keyHash]);
  return result.rows[0];
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
