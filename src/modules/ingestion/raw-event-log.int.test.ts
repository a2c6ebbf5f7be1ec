import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { migrate } from '../../platform/database/migrate.js';
import { DEFAULT_INGESTION_LIMITS } from '../../config/index.js';
import { createSchemas } from '../schemas/index.js';
import { cloudEvent } from '../../../test/harness/events.js';
import { describeEachStore, POSTGRES_TEST_URL } from '../../../test/harness/stores.js';
import { createIngestion, readRawEventsAfter, type Ingestion, type RawEvent, type RawEventCursor } from './index.js';

async function readAll(db: Database, pageSize: number): Promise<RawEvent[]> {
  const all: RawEvent[] = [];
  let cursor: RawEventCursor | null = null;
  for (;;) {
    const page = await readRawEventsAfter(db, cursor, pageSize);
    if (page.length === 0) return all;
    all.push(...page);
    cursor = (page.at(-1) as RawEvent).cursor;
  }
}

describeEachStore('raw event log', (stores) => {
  let db: Database;
  let ingestion: Ingestion;

  beforeAll(async () => {
    db = await stores.fresh();
    await migrate(db);
    ingestion = createIngestion({
      db,
      schemas: createSchemas({ db, clock: systemClock }),
      clock: systemClock,
      limits: DEFAULT_INGESTION_LIMITS,
    });
  });

  it('reads every accepted event once, in ingestion order, page by page', async () => {
    for (let batch = 0; batch < 3; batch += 1) {
      await ingestion.ingest(Array.from({ length: 5 }, (_, i) => ({ value: cloudEvent({ id: `log-${batch}-${i}` }) })));
    }
    // A transaction running anywhere on the server (other test files share it) holds readers back until
    // it ends, so the reader may need a moment to see the last batch.
    const expected = [0, 1, 2].flatMap((batch) => [0, 1, 2, 3, 4].map((i) => `log-${batch}-${i}`));
    await expect
      .poll(async () => (await readAll(db, 4)).map((event) => event.id), { timeout: 15_000 })
      .toEqual(expected);
    const all = await readAll(db, 4);
    expect(new Set(all.map((event) => event.seq)).size).toBe(15);
    expect(all[0]).toMatchObject({
      source: 'test/product',
      type: 'api.request',
      subject: 'customer-1',
      data: { tokens: 10, model: 'small' },
      schemaVersion: null,
    });
  });

  it('refuses to change or delete a stored event', async () => {
    await expect(db.query(`update raw_events set subject = 'someone-else' where id = 'log-0-0'`)).rejects.toThrow(
      /immutable/,
    );
    await expect(db.query(`delete from raw_events where id = 'log-0-0'`)).rejects.toThrow(/immutable/);
    const { rows } = await db.query<{ subject: string }>(`select subject from raw_events where id = 'log-0-0'`);
    expect(rows).toEqual([{ subject: 'customer-1' }]);
  });

  it.runIf(stores.kind === 'postgres')(
    'never lets an event appear behind a reader that already moved past it',
    async () => {
      // Given a writer whose transaction took its sequence number first but has not committed,
      // and a second writer that commits after it,
      const schema = (await db.query<{ schema: string }>('select current_schema() as schema')).rows[0]
        ?.schema as string;
      const slow = new pg.Client({ connectionString: POSTGRES_TEST_URL, options: `-c search_path=${schema}` });
      await slow.connect();
      try {
        const before = await readAll(db, 100);
        await slow.query('begin');
        await slow.query(
          `insert into raw_events (source, id, type, time, payload_hash, received_at) values ('s', 'slow', 't', now(), 'h1', now())`,
        );
        await ingestion.ingest([{ value: cloudEvent({ id: 'fast' }) }]);
        // when a reader reads now, it does not see the committed later event yet (an earlier one is in flight),
        const cursor = (before.at(-1) as RawEvent).cursor;
        expect(await readRawEventsAfter(db, cursor, 100)).toEqual([]);
        // then, once the slow writer commits, both arrive, the earlier transaction first.
        await slow.query('commit');
        await expect
          .poll(async () => (await readRawEventsAfter(db, cursor, 100)).map((event) => event.id), { timeout: 15_000 })
          .toEqual(['slow', 'fast']);
      } finally {
        await slow.end();
      }
    },
  );
});
