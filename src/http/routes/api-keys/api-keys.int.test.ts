import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import { ManualClock } from '../../../platform/clock.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describeEachStore('API keys over HTTP', (stores) => {
  let t: TestApp;
  const clock = new ManualClock('2026-10-01T00:00:00Z');
  const revoke = (id: string, key?: string | null) => t.request(`/v1/api-keys/${id}/revoke`, { method: 'POST', key });
  const snapshot = async () => ({
    keys: (await t.app.db.query('select id, key_hash, role, name, created_at, revoked_at from api_keys order by id'))
      .rows,
    audit: (await t.app.db.query('select * from audit_log order by id')).rows,
  });

  beforeEach(async () => {
    clock.set('2026-10-01T00:00:00Z');
    t = await startTestApp(stores, { clock });
  });
  afterEach(() => t.close());

  it('lists every key with its role, name and times, and never a secret or a hash', async () => {
    const ingest = await t.app.access.createKey({ role: 'ingest', name: 'product' });
    const adminId = (await t.app.access.authenticate(t.adminKey))?.id as string;

    const response = await t.request('/v1/api-keys');

    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text);
    expect(body).toEqual({
      items: expect.arrayContaining([
        { id: adminId, role: 'admin', name: 'bootstrap admin', createdAt: '2026-10-01T00:00:00.000Z', revokedAt: null },
        { id: ingest.id, role: 'ingest', name: 'product', createdAt: '2026-10-01T00:00:00.000Z', revokedAt: null },
      ]),
    });
    expect(body.items).toHaveLength(2);
    for (const key of [t.adminKey, ingest.key]) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(sha256(key));
    }
    expect(text).not.toMatch(/hash/i);
  });

  it('revokes a key: it answers 401 from its very next request, and the revocation is listed and audited', async () => {
    const read = await t.keyFor('read');
    expect((await t.request('/v1/invoices', { key: read })).status).toBe(200);
    const id = (await t.app.access.listKeys()).find((key) => key.role === 'read')?.id as string;
    clock.set('2026-10-02T08:30:00Z');

    const response = await revoke(id);

    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({
      id,
      role: 'read',
      name: null,
      createdAt: '2026-10-01T00:00:00.000Z',
      revokedAt: '2026-10-02T08:30:00.000Z',
    });
    await expectProblem(await t.request('/v1/invoices', { key: read }), 401, /unknown or revoked/);
    const listed = await readJson(await t.request('/v1/api-keys'));
    expect(listed.items.find((key: { id: string }) => key.id === id).revokedAt).toBe('2026-10-02T08:30:00.000Z');
    const adminId = (await t.app.access.authenticate(t.adminKey))?.id;
    const audit = await t.app.db.query<{ actor: string; action: string; target: string }>(
      'select actor, action, target from audit_log',
    );
    expect(audit.rows).toEqual([{ actor: `api-key:${adminId}`, action: 'api-key.revoke', target: `api-key:${id}` }]);
  });

  it('answers 409 for a key already revoked, naming when, and changes nothing', async () => {
    await t.keyFor('ingest');
    const id = (await t.app.access.listKeys()).find((key) => key.role === 'ingest')?.id as string;
    expect((await revoke(id)).status).toBe(200);
    const before = await snapshot();

    const body = await expectProblem(
      await revoke(id),
      409,
      new RegExp(`^API key ${id} was already revoked at 2026-10-01T00:00:00.000Z$`),
    );

    expect(body).toMatchObject({ type: 'urn:meterbridge:problem:conflict', instance: `/v1/api-keys/${id}/revoke` });
    expect(await snapshot()).toEqual(before);
  });

  it('answers 404 naming an unknown id, 400 for a malformed one and 414 past the router limit, changing nothing', async () => {
    await t.keyFor('read');
    const before = await snapshot();

    const unknown = await expectProblem(
      await revoke('key_000000000000'),
      404,
      /^there is no API key key_000000000000$/,
    );
    expect(unknown.type).toBe('urn:meterbridge:problem:not-found');
    // SQL-looking but well-formed ids are just unknown ids.
    await expectProblem(await revoke('key_1--'), 404, /^there is no API key key_1--$/);

    const malformed = [
      'nope',
      'key_',
      `key_${'a'.repeat(65)}`,
      `key_${'a'.repeat(1000)}`,
      encodeURIComponent("key_1' or '1'='1"),
      encodeURIComponent("key_1'; drop table api_keys; --"),
      encodeURIComponent('key_ünïcødé'),
      encodeURIComponent('key_🔑'),
      encodeURIComponent('key_\u202egnp'),
      '%20key_abc',
    ];
    for (const id of malformed) {
      const body = await expectProblem(await revoke(id), 400, /^invalid API key id$/);
      expect(body.errors, id).toEqual([
        { path: '/params/id', message: expect.stringMatching(/^must be an API key id/) },
      ]);
      expect(body.type).toBe('urn:meterbridge:problem:validation');
    }
    // A NUL character is refused before any route looks at the id, like in every parameter (hostile input, issue 10).
    const nul = await expectProblem(
      await revoke('key_abc%00'),
      400,
      /^the request is refused: \/params\/id must not contain the character U\+0000/,
    );
    expect(nul.errors).toEqual([{ path: '/params/id', message: expect.stringMatching(/U\+0000/) }]);
    await expectProblem(await revoke(`key_${'a'.repeat(2000)}`), 414, /.+/);
    // A slash inside the id is another path: no such route.
    await expectProblem(await revoke('key_a/b'), 404, /^no route/);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses to revoke the last active admin key with 409, and allows it once another admin key exists', async () => {
    const adminId = (await t.app.access.authenticate(t.adminKey))?.id as string;
    await t.keyFor('finance');

    await expectProblem(
      await revoke(adminId),
      409,
      new RegExp(`^API key ${adminId} is the last active admin key; .*Create another admin key first`),
    );
    expect((await t.request('/v1/api-keys')).status).toBe(200);

    // Given a second admin key, the first one may revoke itself; from then on it is refused.
    const second = await t.keyFor('admin');
    expect((await revoke(adminId)).status).toBe(200);
    await expectProblem(await t.request('/v1/api-keys'), 401, /unknown or revoked/);
    const secondId = (await t.app.access.authenticate(second))?.id as string;
    await expectProblem(await revoke(secondId, second), 409, /last active admin key/);
  });

  it('answers 401 without a key and 403 to every role but admin, changing nothing', async () => {
    const victim = await t.app.access.createKey({ role: 'ingest' });
    const before = await snapshot();
    for (const role of ['ingest', 'read', 'finance'] as const) {
      const key = await t.keyFor(role);
      await expectProblem(
        await t.request('/v1/api-keys', { key }),
        403,
        new RegExp(`has role "${role}", which does not grant "admin"`),
      );
      await expectProblem(
        await revoke(victim.id, key),
        403,
        new RegExp(`has role "${role}", which does not grant "admin"`),
      );
      // Not even its own key.
      const own = (await t.app.access.authenticate(key))?.id as string;
      await expectProblem(await revoke(own, key), 403, /does not grant "admin"/);
    }
    await expectProblem(await t.request('/v1/api-keys', { key: null }), 401, /.+/);
    await expectProblem(await revoke(victim.id, null), 401, /.+/);
    expect((await snapshot()).keys.filter((key) => key.revoked_at !== null)).toEqual(
      before.keys.filter((key) => key.revoked_at !== null),
    );
    expect((await snapshot()).audit).toEqual([]);
    expect(await t.app.access.authenticate(victim.key)).toBeDefined();
  });
});
