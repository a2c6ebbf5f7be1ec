import { createHash } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../../../test/harness/run-command.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import { testConfig } from '../../../test/harness/test-app.js';
import { createApp, type App } from '../../main.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { keysCommand } from './keys.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describeEachStore('meterbridge keys', (stores) => {
  let db: Database;
  let app: App;
  let admin: { id: string; key: string };
  const clock = new ManualClock('2026-10-01T00:00:00Z');
  const run = (...args: string[]): Promise<CommandRun> =>
    runCommand(keysCommand({ openApp: (config) => createApp(config, { db, clock }) }), args);
  const snapshot = async () => ({
    keys: (await db.query('select * from api_keys order by id')).rows,
    audit: (await db.query('select * from audit_log order by id')).rows,
  });

  // Given: a store with its bootstrap admin key.
  beforeEach(async () => {
    clock.set('2026-10-01T00:00:00Z');
    db = await stores.fresh();
    app = await createApp(testConfig(), { db, clock });
    admin = (await app.access.bootstrap()) as { id: string; key: string };
  });

  it('creates a key, prints it once on stdout, and lists keys as a table or JSON without any secret', async () => {
    clock.set('2026-10-01T09:00:00Z');
    const created = await run('create', '--role', 'ingest', '--name', 'checkout service');
    expect(created).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^mb_ingest_\S+$/),
      stderr: expect.stringMatching(/^created API key key_[0-9a-f]{12} with role ingest; it is shown once/),
    });
    const ingestId = /key_[0-9a-f]{12}/.exec(created.stderr)?.[0] as string;

    const listed = await run('list');

    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout.split('\n')).toEqual([
      expect.stringMatching(/^ID +ROLE +CREATED +REVOKED +NAME$/),
      expect.stringMatching(new RegExp(`^${admin.id} +admin +2026-10-01T00:00:00.000Z +- +bootstrap admin$`)),
      expect.stringMatching(new RegExp(`^${ingestId} +ingest +2026-10-01T09:00:00.000Z +- +checkout service$`)),
    ]);
    const json = await run('list', '--json');
    expect(JSON.parse(json.stdout)).toEqual({
      items: [
        {
          id: admin.id,
          role: 'admin',
          name: 'bootstrap admin',
          createdAt: '2026-10-01T00:00:00.000Z',
          revokedAt: null,
        },
        {
          id: ingestId,
          role: 'ingest',
          name: 'checkout service',
          createdAt: '2026-10-01T09:00:00.000Z',
          revokedAt: null,
        },
      ],
    });
    for (const key of [admin.key, created.stdout]) {
      for (const output of [listed.stdout, json.stdout]) {
        expect(output).not.toContain(key);
        expect(output).not.toContain(sha256(key));
      }
    }
  });

  it('says so when there are no keys at all', async () => {
    const empty = await stores.fresh();
    const result = await runCommand(keysCommand({ openApp: (config) => createApp(config, { db: empty, clock }) }), [
      'list',
    ]);
    expect(result).toEqual({ code: 0, stdout: 'no API keys', stderr: '' });
  });

  it('revokes a key: it stops authenticating at once, is listed as revoked and audited with --by', async () => {
    const read = await app.access.createKey({ role: 'read', name: 'dashboard' });
    clock.set('2026-10-03T10:00:00Z');

    const result = await run('revoke', read.id, '--by', 'carol');

    expect(result).toEqual({
      code: 0,
      stdout: `revoked API key ${read.id} (role read, name "dashboard"); it no longer authenticates`,
      stderr: '',
    });
    expect(await app.access.authenticate(read.key)).toBeUndefined();
    expect((await run('list')).stdout).toMatch(
      new RegExp(`^${read.id} +read +2026-10-01T00:00:00.000Z +2026-10-03T10:00:00.000Z +dashboard$`, 'm'),
    );
    const audit = await db.query('select actor, action, target from audit_log');
    expect(audit.rows).toEqual([{ actor: 'carol', action: 'api-key.revoke', target: `api-key:${read.id}` }]);
  });

  it('refuses a second revocation, an unknown id and malformed ids with exit 1 and a precise message, changing nothing', async () => {
    const read = await app.access.createKey({ role: 'read' });
    expect((await run('revoke', read.id)).code).toBe(0);
    const before = await snapshot();

    expect(await run('revoke', read.id)).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: API key ${read.id} was already revoked at 2026-10-01T00:00:00.000Z`,
    });
    expect(await run('revoke', 'key_000000000000')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: there is no API key key_000000000000',
    });
    for (const id of ["key_1' or '1'='1", `key_${'x'.repeat(5000)}`, 'key_ключ', read.key, '']) {
      expect(await run('revoke', id), id.slice(0, 40)).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'error: invalid API key id\n  ID: must be an API key id: "key_" then 1-64 letters, digits, "_" or "-", such as "key_0123456789ab"',
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses to revoke the last active admin key, explaining how to proceed', async () => {
    const result = await run('revoke', admin.id);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: API key ${admin.id} is the last active admin key; revoking it would leave nobody able to manage keys. Create another admin key first (meterbridge keys create --role admin)`,
    );
    expect(await app.access.authenticate(admin.key)).toBeDefined();
  });
});
