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
