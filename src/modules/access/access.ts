import { ValidationError } from '../../platform/errors.js';

export const ROLES = ['ingest', 'read', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What an endpoint needs. `ingest` sends events; `read` reads; `finance` acts on money; `admin` changes configuration. */
export type Permission = 'ingest' | 'read' | 'finance' | 'admin';

// ingest keys live in product code and are the likeliest to leak, so they can do nothing but send events.
const GRANTS: Record<Role, readonly Permission[]> = {
  ingest: ['ingest'],
  read: ['read'],
  finance: ['read', 'finance'],
  admin: ['ingest', 'read', 'finance', 'admin'],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export interface ApiKeyIdentity {
  id: string;
  role: Role;
  name: string | null;
}

export interface CreatedApiKey extends ApiKeyIdentity {
  /** The secret itself: shown once, never stored. */
  key: string;
}

/** What anyone may see of a key: never its secret nor its hash. Instants are ISO 8601 UTC. */
export interface ApiKeySummary extends ApiKeyIdentity {
  createdAt: string;
  /** When it stopped authenticating; null while it is active. */
  revokedAt: string | null;
}

// Issued ids are `key_` + 12 hex digits (or `key_bootstrap`); the pattern is looser so that ids
// written by hand into the table stay addressable, yet nothing with spaces, quotes or non-ASCII reaches SQL.
const API_KEY_ID = /^key_[A-Za-z0-9_-]{1,64}$/;

/** The id itself, or a ValidationError naming `path` (the id's place in the caller's input). */
export function parseApiKeyId(value: unknown, path = '/id'): string {
  if (typeof value === 'string' && API_KEY_ID.test(value)) return value;
  throw new ValidationError('invalid API key id', [
    {
      path,
      message: 'must be an API key id: "key_" then 1-64 letters, digits, "_" or "-", such as "key_0123456789ab"',
    },
  ]);
}
