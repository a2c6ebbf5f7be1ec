import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { migrate } from '../../platform/database/migrate.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { listAudit } from '../audit/index.js';
import type { JournalEntry } from '../connectors/index.js';
import { createPostings, enqueue, parsePostingQuery } from './index.js';

const body: JournalEntry = {
  type: 'journal',
  externalId: 'JE-1',
  legalEntity: 'US',
  currency: 'USD',
  postingDate: '2026-10-31',
  memo: 'October usage',
  lines: [],
};

describeEachStore('operating postings', (stores) => {
  let db: Database;
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  let id: string;

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
    await db.transaction((tx) =>
      enqueue(tx, {
        topic: 'invoice.finalized',
        key: 'inv-1',
        payload: {},
        createdAt: clock.now(),
        postings: [
          { targetKey: 'ns', externalId: 'JE-1', kind: 'journal', subject: 'invoice:inv-1', period: '2026-10', body },
        ],
      }),
    );
    id = (await db.query<{ id: string }>(`select id::text from postings`)).rows[0]!.id;
  });

  const kill = () => db.query(`update postings set status = 'dead' where id = $1`, [id]);

  it('lists by status, target and period, and shows a posting with its attempts', async () => {
    const postings = createPostings({ db, clock });
    const { filter, limit } = parsePostingQuery({ status: 'pending', target: 'ns', period: '2026-10' });
    expect((await postings.list(filter, limit)).map((one) => one.externalId)).toEqual(['JE-1']);
    expect(await postings.list(parsePostingQuery({ period: '2026-11' }).filter, 10)).toEqual([]);
    expect(await postings.get(id)).toMatchObject({ posting: { status: 'pending', body }, attempts: [] });
  });

  it('refuses bad filters with every parameter at its path', () => {
    expect(() => parsePostingQuery({ status: 'lost', period: '2026-13', after: '-1', limit: '0' })).toThrow(
      expect.objectContaining({
        errors: [
          { path: '/query/status', message: 'must be one of pending, in_flight, retrying, delivered, dead, cancelled' },
          { path: '/query/period', message: 'must be a month, YYYY-MM' },
          { path: '/query/after', message: 'must be a posting id (a positive integer)' },
          { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
        ],
      }),
    );
  });

  it('retries only a dead posting, rendered again, read back first, audited', async () => {
    const rendered: JournalEntry = { ...body, memo: 'October usage, account fixed' };
    const postings = createPostings({ db, clock, render: async () => rendered });
    await expect(postings.retry(id, 'ops')).rejects.toThrow(ConflictError);
    await kill();
    expect(await postings.retry(id, 'ops')).toMatchObject({ status: 'pending', body: rendered, needsLookup: true });
    expect((await listAudit(db, { target: `posting:${id}`, limit: 5 })).map((entry) => entry.action)).toEqual([
      'posting.retry',
    ]);
  });

  it('cancels with a reason only, and never a delivered posting', async () => {
    const postings = createPostings({ db, clock });
    await expect(postings.cancel(id, '  ', 'ops')).rejects.toThrow(ValidationError);
    await expect(postings.cancel('999', 'duplicate', 'ops')).rejects.toThrow(NotFoundError);
    await expect(postings.cancel('x\u0000', 'duplicate', 'ops')).rejects.toThrow(NotFoundError);
    expect(await postings.cancel(id, 'posted by hand in NetSuite', 'ops')).toMatchObject({
      status: 'cancelled',
      cancelReason: 'posted by hand in NetSuite',
    });
    await db.query(`update postings set status = 'delivered' where id = $1`, [id]);
    await expect(postings.cancel(id, 'again', 'ops')).rejects.toThrow(ConflictError);
  });
});
