import { describe, expect, it } from 'vitest';
import { isRole, roleAllows, ROLES, type Permission, type Role } from './access.js';

const PERMISSIONS: readonly Permission[] = ['ingest', 'read', 'finance', 'admin'];

// The whole matrix, written out: a change to any grant must change this table.
const EXPECTED: Record<Role, Record<Permission, boolean>> = {
  ingest: { ingest: true, read: false, finance: false, admin: false },
  read: { ingest: false, read: true, finance: false, admin: false },
  finance: { ingest: false, read: true, finance: true, admin: false },
  admin: { ingest: true, read: true, finance: true, admin: true },
};

describe('roleAllows', () => {
  for (const role of ROLES) {
    for (const permission of PERMISSIONS) {
      const allowed = EXPECTED[role][permission];
      it(`${allowed ? 'grants' : 'denies'} "${permission}" to the ${role} role`, () => {
        expect(roleAllows(role, permission)).toBe(allowed);
      });
    }
  }

  it('lets an ingest key do nothing but send events', () => {
    expect(PERMISSIONS.filter((permission) => roleAllows('ingest', permission))).toEqual(['ingest']);
  });
});

describe('isRole', () => {
  it('accepts exactly the four roles', () => {
    expect(ROLES).toEqual(['ingest', 'read', 'finance', 'admin']);
    for (const role of ROLES) expect(isRole(role)).toBe(true);
  });

  it('refuses other strings, other casings and non-strings', () => {
    for (const value of ['owner', 'Admin', '', ' admin', 'toString', undefined, null, 1, ['admin']]) {
      expect(isRole(value), JSON.stringify(value)).toBe(false);
    }
  });
});
