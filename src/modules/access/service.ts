import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { recordAudit } from '../audit/index.js';
import {
  isRole,
  parseApiKeyId,
  ROLES,
  type ApiKeyIdentity,
  type ApiKeySummary,
  type CreatedApiKey,
  type Role,
} from './access.js';
import {
  claimBootstrap,
  findActiveKeyByHash,
  findApiKeys,
  insertApiKey,
  lockKeyAndActiveAdmins,
  markRevoked,
} from './repository.js';

export interface Access {
  createKey(input: { role: string; name?: string }): Promise<CreatedApiKey>;
  /** The key's identity, or undefined for an unknown or revoked key. */
  authenticate(key: string): Promise<ApiKeyIdentity | undefined>;
  /**
   * On a store with no keys, creates the first admin key (`presetKey` when given, else a random one)
   * and returns it; on any other store returns undefined, so the key is only ever shown once.
   */
  bootstrap(presetKey?: string): Promise<CreatedApiKey | undefined>;
  /** Every key, oldest first, revoked ones included; never a secret or a hash. */
  listKeys(): Promise<ApiKeySummary[]>;
  /**
   * Makes a key stop authenticating from the next request on, audited as `actor`. Refuses a malformed
   * id (ValidationError), an unknown one (NotFoundError), a key already revoked and the last active
   * admin key (ConflictError): without an admin key nobody could create or revoke keys any more.
   */
  revokeKey(id: string, actor: string): Promise<ApiKeySummary>;
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function newKey(role: Role): { id: string; key: string } {
  const id = `key_${randomBytes(6).toString('hex')}`;
  return { id, key: `mb_${role}_${randomBytes(24).toString('base64url')}` };
}

export function createAccess({ db, clock }: { db: Database; clock: Clock }): Access {
  async function store(role: Role, name: string | null, preset?: { id: string; key: string }): Promise<CreatedApiKey> {
    const { id, key } = preset ?? newKey(role);
    await insertApiKey(db, { id, role, name, keyHash: digest(key), createdAt: clock.now() });
    return { id, role, name, key };
  }

  return {
    async createKey({ role, name }) {
      const errors = [];
      if (!isRole(role))
        errors.push({ path: '/role', message: `must be one of ${ROLES.join(', ')}, got ${JSON.stringify(role)}` });
      if (name !== undefined && (name.trim() === '' || name.length > 200))
        errors.push({ path: '/name', message: 'must be 1 to 200 characters' });
      if (errors.length > 0 || !isRole(role)) throw new ValidationError('invalid API key request', errors);
      return store(role, name ?? null);
    },
    async authenticate(key) {
      if (key.length < 16 || key.length > 512) return undefined;
      return findActiveKeyByHash(db, digest(key));
    },
    async bootstrap(presetKey) {
      return db.transaction(async (tx) => {
        if (!(await claimBootstrap(tx))) return undefined;
        const { id, key } = presetKey ? { id: 'key_bootstrap', key: presetKey } : newKey('admin');
        await insertApiKey(tx, {
          id,
          role: 'admin',
          name: 'bootstrap admin',
          keyHash: digest(key),
          createdAt: clock.now(),
        });
        return { id, role: 'admin' as const, name: 'bootstrap admin', key };
      });
    },
    listKeys: () => findApiKeys(db),
    async revokeKey(id, actor) {
      const wanted = parseApiKeyId(id);
      return db.transaction(async (tx) => {
        const locked = await lockKeyAndActiveAdmins(tx, wanted);
        const target = locked.find((key) => key.id === wanted);
        if (!target) throw new NotFoundError(`there is no API key ${wanted}`);
        if (target.revokedAt !== null)
          throw new ConflictError(`API key ${wanted} was already revoked at ${target.revokedAt}`);
        if (
          target.role === 'admin' &&
          !locked.some((key) => key.id !== wanted && key.role === 'admin' && key.revokedAt === null)
        ) {
          throw new ConflictError(
            `API key ${wanted} is the last active admin key; revoking it would leave nobody able to manage keys. Create another admin key first (meterbridge keys create --role admin)`,
          );
        }
        const now = clock.now();
        const revoked = await markRevoked(tx, wanted, now);
        await recordAudit(tx, now, [
          {
            actor,
            action: 'api-key.revoke',
            target: `api-key:${wanted}`,
            detail: { role: revoked.role, name: revoked.name },
          },
        ]);
        return revoked;
      });
    },
  };
}
