import { beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { migrate } from '../../platform/database/migrate.js';
import { describeEachStore } from '../../../test/harness/stores.js';
import type { CatalogService } from '../catalog/index.js';
import { createReconciliations } from './service.js';

// A queued run whose attempts fail is queued again, and failed with the last error after its third
// attempt; each failure is told to the worker, and nothing is kept of a failed attempt.

describeEachStore('a queued reconciliation whose attempts fail', (stores) => {
  let db: Database;
  const clock = new ManualClock('2026-11-10T00:00:00Z');

  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
  });

  it('is tried three times, then failed with the reason', async () => {
    let asked = 0;
    // The catalog answers the request's check, then is unreadable each time a worker makes the run.
    const catalog = {
      current: async () => {
        asked += 1;
        if (asked > 1) throw new Error('the catalog store is unreadable');
        return undefined;
      },
    } as unknown as CatalogService;
    const reconciliations = createReconciliations({
      db,
      clock,
      catalog,
      billing: { list: async () => [] },
      postings: { list: async () => [] },
      connectorFor: async () => undefined,
      graceHours: 72,
    });
    const queued = await reconciliations.queue({ period: '2026-10' }, 'ops');
    expect(queued).toMatchObject({ status: 'queued', error: null });

    const failures: { attempt: number; requeued: boolean; message: string }[] = [];
    const onFailed = (run: { attempt: number; requeued: boolean }, error: unknown) =>
      failures.push({ attempt: run.attempt, requeued: run.requeued, message: (error as Error).message });
    expect(await reconciliations.runNext(onFailed)).toBe(true);
    expect(await reconciliations.get(queued.id)).toMatchObject({
      status: 'queued',
      error: 'the catalog store is unreadable',
    });
    expect(await reconciliations.runNext(onFailed)).toBe(true);
    expect(await reconciliations.runNext(onFailed)).toBe(true);
    expect(await reconciliations.runNext(onFailed)).toBe(false);
    expect(failures).toEqual([
      { attempt: 1, requeued: true, message: 'the catalog store is unreadable' },
      { attempt: 2, requeued: true, message: 'the catalog store is unreadable' },
      { attempt: 3, requeued: false, message: 'the catalog store is unreadable' },
    ]);
    expect(await reconciliations.get(queued.id)).toMatchObject({
      status: 'failed',
      error: 'the catalog store is unreadable',
      mismatches: [],
      summary: { clean: false },
    });
  });
});
