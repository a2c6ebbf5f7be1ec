import { expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';

// On PGlite a statement that fails inside a transaction must not leave its one connection aborted:
// every later query of the process would fail. On PostgreSQL the same holds for a pooled connection.
describeEachStore('transactions after a failed statement', (stores) => {
  it('roll back what the transaction wrote, and the store answers the next statements', async () => {
    const db = await stores.fresh();
    await db.exec('create table probe (id integer primary key)');
    await db.query('insert into probe values (1)');

    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into probe values (2)');
        await tx.query('insert into probe values (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });

    expect((await db.query('select id from probe order by id')).rows).toEqual([{ id: 1 }]);
    await db.transaction((tx) => tx.query('insert into probe values (3)'));
    expect((await db.query('select id from probe order by id')).rows).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('are not refused after failed SQL that opened its own transaction block', async () => {
    const db = await stores.fresh();
    await db.exec('create table probe (id integer primary key)');

    await expect(db.exec('begin; insert into probe values (1); select 1 / 0')).rejects.toMatchObject({ code: '22012' });

    for (let i = 0; i < 5; i += 1)
      expect((await db.query('select count(*)::int as n from probe')).rows).toEqual([{ n: 0 }]);
    await db.transaction((tx) => tx.query('insert into probe values (2)'));
    expect((await db.query('select id from probe')).rows).toEqual([{ id: 2 }]);
  });
});
