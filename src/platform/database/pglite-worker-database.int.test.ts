import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTextRow } from './copy-text.js';
import type { Database } from './database.js';
import { openStore } from './open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-worker-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded store on a worker thread', () => {
  let db: Database;
  const count = async () => Number((await db.query<{ n: string }>('select count(*)::text as n from items')).rows[0]?.n);

  beforeAll(async () => {
    db = await openStore({ dataDir: join(dir, 'store') });
    await db.exec('create table items (id text primary key, body jsonb, at timestamptz default now())');
  });
  afterAll(() => db.close());

  it('answers queries with typed rows and row counts', async () => {
    const inserted = await db.query(`insert into items (id, body) values ($1, $2), ($3, $4)`, [
      'a',
      '{"n": 1}',
      'b',
      null,
    ]);
    expect(inserted.rowCount).toBe(2);
    const { rows } = await db.query<{ id: string; body: unknown; at: Date }>(
      'select id, body, at from items order by id',
    );
    expect(rows.map(({ id, body }) => ({ id, body }))).toEqual([
      { id: 'a', body: { n: 1 } },
      { id: 'b', body: null },
    ]);
    expect(rows[0]?.at).toBeInstanceOf(Date);
  });

  it('reports a failed statement with its SQLSTATE and stays usable', async () => {
    await expect(db.query(`insert into items (id) values ('a')`)).rejects.toMatchObject({ code: '23505' });
    expect(await count()).toBe(2);
  });

  it('commits a transaction and rolls one back on error', async () => {
    await db.transaction(async (tx) => tx.query(`insert into items (id) values ('c')`));
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into items (id) values ('d')`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const { rows } = await db.query<{ id: string }>(`select id from items where id in ('c', 'd')`);
    expect(rows).toEqual([{ id: 'c' }]);
  });

  it('rolls back a transaction whose statement fails, and the next transaction commits', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`insert into items (id) values ('e')`);
        await tx.query(`insert into items (id) values ('a')`); // a unique violation
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await db.transaction((tx) => tx.query(`insert into items (id) values ('f')`));
    const { rows } = await db.query<{ id: string }>(`select id from items where id in ('e', 'f')`);
    expect(rows).toEqual([{ id: 'f' }]);
  });

  it('is not left aborted by failed SQL that opened its own transaction block', async () => {
    await expect(db.exec(`begin; insert into items (id) values ('g'); select 1 / 0`)).rejects.toMatchObject({
      code: '22012',
    });
    // The one connection answers the next statement and transaction, and the block's row is gone.
    expect((await db.query<{ n: number }>(`select count(*)::int as n from items where id = 'g'`)).rows).toEqual([
      { n: 0 },
    ]);
    await db.transaction((tx) => tx.query(`insert into items (id) values ('h')`));
    expect((await db.query<{ id: string }>(`select id from items where id = 'h'`)).rows).toEqual([{ id: 'h' }]);
  });

  it('keeps statements from outside an open transaction out of it', async () => {
    // Given a transaction that will roll back after a statement from elsewhere was issued meanwhile,
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = db.transaction(async (tx) => {
      await tx.query(`insert into items (id) values ('in-tx')`);
      await held;
      throw new Error('roll back');
    });
    const outside = db.query(`insert into items (id) values ('outside')`);
    release();
    await expect(transaction).rejects.toThrow('roll back');
    await outside;
    // then only the outside statement's row exists: it did not run inside the rolled-back transaction.
    const { rows } = await db.query<{ id: string }>(`select id from items where id in ('in-tx', 'outside')`);
    expect(rows).toEqual([{ id: 'outside' }]);
  });

  it('bulk-loads rows with COPY, all or nothing', async () => {
    const before = await count();
    const rows = ['p1', 'p2', 'p3'].map((id) => `${copyTextRow([id, '{"tab": "a\\tb"}'])}\n`).join('');
    expect(await db.copyIn('items', ['id', 'body'], rows)).toBe(3);
    const { rows: loaded } = await db.query<{ body: unknown }>(`select body from items where id = 'p1'`);
    expect(loaded).toEqual([{ body: { tab: 'a\tb' } }]);
    const clash = ['p4', 'p1'].map((id) => `${copyTextRow([id, null])}\n`).join('');
    await expect(db.copyIn('items', ['id', 'body'], clash)).rejects.toMatchObject({ code: '23505' });
    expect(await count()).toBe(before + 3);
  });

  it('refuses a second opening of the same data directory, naming the process that holds it', async () => {
    await expect(openStore({ dataDir: join(dir, 'store') })).rejects.toThrow(
      new RegExp(`in use by process ${process.pid}`),
    );
  });
});

describe('embedded store lock', () => {
  it('takes over a lock left by a process that no longer runs', async () => {
    const dataDir = join(dir, 'stale');
    const first = await openStore({ dataDir });
    await first.close();
    writeFileSync(join(dataDir, 'meterbridge.pid'), '999999');
    const second = await openStore({ dataDir });
    expect((await second.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    await second.close();
  });

  it('fails every call after close instead of hanging', async () => {
    const db = await openStore({ dataDir: join(dir, 'closed') });
    await db.close();
    await expect(db.query('select 1')).rejects.toThrow(/exited/);
  });
});
