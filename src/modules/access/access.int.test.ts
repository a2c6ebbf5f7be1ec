import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import type { Database } from '../../platform/database/database.js';
import { migrate } from '../../platform/database/migrate.js';
import { ManualClock } from '../../platform/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { createAccess, ROLES, type Access } from './index.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function thrownBy(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
}

describeEachStore('access: API keys', (stores) => {
  let db: Database;
  let access: Access;
  const clock = new ManualClock('2026-10-01T00:00:00Z');
  const keyRows = async () =>
    (
      await db.query<{ id: string; key_hash: string; role: string; name: string | null; revoked_at: Date | null }>(
        'select id, key_hash, role, name, revoked_at from api_keys order by id',
      )
    ).rows;

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
    clock.set('2026-10-01T00:00:00Z');
    access = createAccess({ db, clock });
  });

  it('bootstraps a new store with one admin key that authenticates', async () => {
    const created = await access.bootstrap();

    expect(created).toMatchObject({ role: 'admin', name: 'bootstrap admin', id: expect.stringMatching(/^key_/) });
    expect(created?.key).toMatch(/^mb_admin_[A-Za-z0-9_-]{32}$/);
    expect(await keyRows()).toHaveLength(1);
    expect(await access.authenticate(created?.key as string)).toEqual({
      id: created?.id,
      role: 'admin',
      name: 'bootstrap admin',
    });
  });

  it('returns undefined from a second bootstrap and creates no other key', async () => {
    const first = await access.bootstrap();
    expect(first).toBeDefined();
    expect(await access.bootstrap()).toBeUndefined();
    expect(await access.bootstrap('a-preset-key-that-is-long-enough-0001')).toBeUndefined();
    expect((await keyRows()).map((row) => row.id)).toEqual([first?.id]);
  });

  it('creates exactly one admin key when five bootstraps race', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => access.bootstrap()));
    expect(results.filter((result) => result !== undefined)).toHaveLength(1);
    expect(await keyRows()).toHaveLength(1);
  });

  it('does not bootstrap a store that already has keys', async () => {
    await access.createKey({ role: 'read' });
    expect(await access.bootstrap()).toBeUndefined();
    expect((await keyRows()).map((row) => row.role)).toEqual(['read']);
  });

  it('makes a preset key the bootstrap admin key', async () => {
    const preset = 'deployment-secret-0123456789abcdef';
    expect(preset.length).toBeGreaterThanOrEqual(32);

    const created = await access.bootstrap(preset);

    expect(created).toEqual({ id: 'key_bootstrap', role: 'admin', name: 'bootstrap admin', key: preset });
    expect(await access.authenticate(preset)).toEqual({ id: 'key_bootstrap', role: 'admin', name: 'bootstrap admin' });
  });

  it('stores keys only as their SHA-256 hex digest', async () => {
    const admin = await access.bootstrap();
    const ingest = await access.createKey({ role: 'ingest', name: 'product' });

    const { rows } = await db.query<Record<string, unknown>>('select * from api_keys');
    const stored = JSON.stringify(rows);

    for (const { id, key } of [admin, ingest] as Array<{ id: string; key: string }>) {
      expect(stored).not.toContain(key);
      expect(stored).not.toContain(key.slice(-24));
      expect(rows.find((row) => row.id === id)?.key_hash).toBe(sha256(key));
    }
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(String(row.key_hash)))).toBe(true);
  });

  it('creates a key for each role that authenticates with that role and name', async () => {
    for (const role of ROLES) {
      const created = await access.createKey({ role, name: `${role} key` });
      expect(created).toMatchObject({ role, name: `${role} key`, id: expect.stringMatching(/^key_[0-9a-f]{12}$/) });
      expect(created.key).toMatch(new RegExp(`^mb_${role}_`));
      expect(await access.authenticate(created.key)).toEqual({ id: created.id, role, name: `${role} key` });
    }
    const unnamed = await access.createKey({ role: 'read' });
    expect(unnamed.name).toBeNull();
    expect(new Set((await keyRows()).map((row) => row.key_hash)).size).toBe(ROLES.length + 1);
  });

  it('refuses an invalid role and an empty name together, naming both fields', async () => {
    const error = await thrownBy(access.createKey({ role: 'owner', name: '   ' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([
      { path: '/role', message: 'must be one of ingest, read, finance, admin, got "owner"' },
      { path: '/name', message: 'must be 1 to 200 characters' },
    ]);
    expect(await keyRows()).toEqual([]);
  });

  it('refuses a name over 200 characters and accepts one of exactly 200', async () => {
    const error = await thrownBy(access.createKey({ role: 'read', name: 'n'.repeat(201) }));
    expect((error as ValidationError).errors).toEqual([{ path: '/name', message: 'must be 1 to 200 characters' }]);
    expect((await access.createKey({ role: 'read', name: 'n'.repeat(200) })).name).toHaveLength(200);
  });

  it('does not authenticate an unknown key', async () => {
    await access.bootstrap();
    expect(await access.authenticate('mb_admin_this-key-was-never-issued-0000')).toBeUndefined();
  });

  it('does not authenticate keys under 16 or over 512 characters, even when their digest is stored', async () => {
    // Given rows whose digests match keys outside the accepted lengths (no issued key is ever that short or long).
    const short = 'k'.repeat(15);
    const long = 'k'.repeat(513);
    const edge = 'k'.repeat(16);
    for (const [id, key] of [
      ['key_short', short],
      ['key_long', long],
      ['key_edge', edge],
    ] as const) {
      await db.query(`insert into api_keys (id, key_hash, role) values ($1, $2, 'admin')`, [id, sha256(key)]);
    }

    expect(await access.authenticate(short)).toBeUndefined();
    expect(await access.authenticate(long)).toBeUndefined();
    expect(await access.authenticate('')).toBeUndefined();
    // The bounds themselves are inside: the same setup does authenticate a 16-character key.
    expect(await access.authenticate(edge)).toEqual({ id: 'key_edge', role: 'admin', name: null });
  });

  it('does not authenticate a revoked key', async () => {
    const created = await access.createKey({ role: 'ingest' });
    expect(await access.authenticate(created.key)).toBeDefined();

    await db.query('update api_keys set revoked_at = now() where id = $1', [created.id]);

    expect(await access.authenticate(created.key)).toBeUndefined();
  });

  describe('listing and revoking', () => {
    const auditRows = async () =>
      (
        await db.query<{ at: Date; actor: string; action: string; target: string; detail: unknown }>(
          'select at, actor, action, target, detail from audit_log order by id',
        )
      ).rows;

    it('lists every key oldest first with its role, name and times, and never a secret or hash', async () => {
      const admin = (await access.bootstrap()) as { id: string; key: string };
      clock.advance(60_000);
      const ingest = await access.createKey({ role: 'ingest', name: 'product' });

      const listed = await access.listKeys();

      expect(listed).toEqual([
        {
          id: admin.id,
          role: 'admin',
          name: 'bootstrap admin',
          createdAt: '2026-10-01T00:00:00.000Z',
          revokedAt: null,
        },
        { id: ingest.id, role: 'ingest', name: 'product', createdAt: '2026-10-01T00:01:00.000Z', revokedAt: null },
      ]);
      const text = JSON.stringify(listed);
      for (const { key } of [admin, ingest]) {
        expect(text).not.toContain(key);
        expect(text).not.toContain(sha256(key));
      }
    });

    it('revokes a key: it stops authenticating at once, is listed as revoked and the revocation is audited', async () => {
      await access.bootstrap();
      const ingest = await access.createKey({ role: 'ingest', name: 'product' });
      clock.set('2026-10-02T12:00:00Z');

      const revoked = await access.revokeKey(ingest.id, 'alice');

      expect(revoked).toEqual({
        id: ingest.id,
        role: 'ingest',
        name: 'product',
        createdAt: '2026-10-01T00:00:00.000Z',
        revokedAt: '2026-10-02T12:00:00.000Z',
      });
      expect(await access.authenticate(ingest.key)).toBeUndefined();
      expect((await access.listKeys()).find((key) => key.id === ingest.id)?.revokedAt).toBe('2026-10-02T12:00:00.000Z');
      expect(await auditRows()).toEqual([
        {
          at: new Date('2026-10-02T12:00:00Z'),
          actor: 'alice',
          action: 'api-key.revoke',
          target: `api-key:${ingest.id}`,
          detail: { role: 'ingest', name: 'product' },
        },
      ]);
    });

    it('refuses to revoke a key twice with a ConflictError, changing nothing', async () => {
      await access.bootstrap();
      const read = await access.createKey({ role: 'read' });
      await access.revokeKey(read.id, 'alice');
      const before = await keyRows();

      const error = await thrownBy(access.revokeKey(read.id, 'bob'));

      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toBe(`API key ${read.id} was already revoked at 2026-10-01T00:00:00.000Z`);
      expect(await keyRows()).toEqual(before);
      expect((await auditRows()).map((row) => row.actor)).toEqual(['alice']);
    });

    it('refuses an unknown id with a NotFoundError naming it, and malformed ids with a ValidationError', async () => {
      await access.bootstrap();
      const before = await keyRows();

      const unknown = await thrownBy(access.revokeKey('key_000000000000', 'alice'));
      expect(unknown).toBeInstanceOf(NotFoundError);
      expect((unknown as Error).message).toBe('there is no API key key_000000000000');

      for (const id of [
        '',
        'key_',
        'nope',
        `key_${'a'.repeat(65)}`,
        "key_1' or '1'='1",
        'key_1; drop table api_keys',
        'key_é',
        'key_\u0000',
        ' key_abc',
      ]) {
        const error = await thrownBy(access.revokeKey(id, 'alice'));
        expect(error, JSON.stringify(id)).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors).toEqual([
          { path: '/id', message: expect.stringMatching(/^must be an API key id/) },
        ]);
      }
      expect(await keyRows()).toEqual(before);
      expect(await auditRows()).toEqual([]);
    });

    it('refuses to revoke the last active admin key, and allows it once another admin key exists', async () => {
      const first = (await access.bootstrap()) as { id: string; key: string };
      await access.createKey({ role: 'finance' });

      const error = await thrownBy(access.revokeKey(first.id, 'alice'));
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).toMatch(
        new RegExp(`^API key ${first.id} is the last active admin key; .*Create another admin key first`),
      );
      expect(await access.authenticate(first.key)).toBeDefined();

      const second = await access.createKey({ role: 'admin' });
      await access.revokeKey(first.id, 'alice');
      expect(await access.authenticate(first.key)).toBeUndefined();
      // second is now the only active admin key: a revoked admin key does not count.
      expect(await thrownBy(access.revokeKey(second.id, 'alice'))).toBeInstanceOf(ConflictError);
      expect(await access.authenticate(second.key)).toBeDefined();
    });

    it("leaves exactly one active admin key when two admins revoke each other's keys at once", async () => {
      const first = (await access.bootstrap()) as { id: string };
      const a = await access.createKey({ role: 'admin' });
      const b = await access.createKey({ role: 'admin' });
      await access.revokeKey(first.id, 'setup');

      const outcomes = await Promise.allSettled([access.revokeKey(a.id, 'b'), access.revokeKey(b.id, 'a')]);

      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      expect((await access.listKeys()).filter((key) => key.role === 'admin' && key.revokedAt === null)).toHaveLength(1);
    });

    it.runIf(stores.kind === 'postgres')(
      'keeps one admin key when both revocations read the keys before either commits',
      async () => {
        // PGlite serializes transactions, so only a server can hold a lock while the revocations start.
        const first = (await access.bootstrap()) as { id: string };
        const a = await access.createKey({ role: 'admin' });
        const b = await access.createKey({ role: 'admin' });
        await access.revokeKey(first.id, 'setup');

        // Given another transaction holding key a, both revocations start while it is held, then it commits.
        let outcomes: Promise<PromiseSettledResult<unknown>[]> | undefined;
        await db.transaction(async (tx) => {
          await tx.query('select id from api_keys where id = $1 for update', [a.id]);
          outcomes = Promise.allSettled([access.revokeKey(a.id, 'b'), access.revokeKey(b.id, 'a')]);
          await new Promise((resolve) => setTimeout(resolve, 300));
        });

        expect(((await outcomes) ?? []).map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect((await access.listKeys()).filter((key) => key.role === 'admin' && key.revokedAt === null)).toHaveLength(
          1,
        );
      },
    );
  });
});
