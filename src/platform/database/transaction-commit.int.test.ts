import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import { openStore } from './open-store.js';

describeEachStore('a transaction whose statement failed', (stores) => {
  it('is not reported committed when the work caught the error and went on; nothing it wrote is kept', async () => {
    const db = await stores.fresh();
    await db.exec('create table kept (id int primary key)');
    const work = db.transaction(async (tx) => {
      await tx.query('insert into kept (id) values (1)');
      await tx.query('insert into kept (id) values (1)').catch(() => undefined);
      return 'done';
    });
    await expect(work).rejects.toThrow();
    expect((await db.query<{ n: string }>('select count(*)::text as n from kept')).rows[0]?.n).toBe('0');
    // The store is usable afterwards.
    await db.transaction((tx) => tx.query('insert into kept (id) values (2)'));
    expect((await db.query<{ n: string }>('select count(*)::text as n from kept')).rows[0]?.n).toBe('1');
  });
});

describe('a transaction whose statement failed, on the embedded store thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mb-commit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is not reported committed either', async () => {
    const db = await openStore({ dataDir: join(dir, 'store') });
    try {
      await db.exec('create table kept (id int primary key)');
      const work = db.transaction(async (tx) => {
        await tx.query('insert into kept (id) values (1)');
        await tx.query('insert into kept (id) values (1)').catch(() => undefined);
      });
      await expect(work).rejects.toThrow();
      expect((await db.query<{ n: string }>('select count(*)::text as n from kept')).rows[0]?.n).toBe('0');
    } finally {
      await db.close();
    }
  });
});
