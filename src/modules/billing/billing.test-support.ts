import type { App } from '../../main.js';
import type { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import type { TestStores } from '../../../test/harness/stores.js';
import {
  apiRequest,
  ingestAll,
  meteringFixture,
  storageSnapshot,
  supportSession,
} from '../metering/metering.test-support.js';

/**
 * October 2026 for the reference catalog, metered: 30 API calls (20 us, 10 eu) of acme and its alias,
 * storage peaking at 120.5 GB, 3.25 support hours in October and 9 on November 1. Acme's October
 * invoice: platform fee 500.00 (November, in advance), api 0.00, storage 12.05, premium support 487.50.
 */
export async function meterOctober(app: App): Promise<void> {
  await ingestAll(app, [
    ...Array.from({ length: 30 }, (_, i) =>
      apiRequest(i % 2 ? 'acme' : 'acct_1001', `2026-10-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`, {
        region: i % 3 ? 'us' : 'eu',
      }),
    ),
    storageSnapshot('acme', '2026-10-05T00:00:00Z', '120.5'),
    storageSnapshot('acme', '2026-10-20T00:00:00Z', 80),
    supportSession('acme', '2026-10-07T00:00:00Z', { duration_hours: '1.25' }),
    supportSession('acct_1002', '2026-10-30T23:59:59Z', { duration_hours: 2 }),
    supportSession('acme', '2026-11-01T00:00:00Z', { duration_hours: 9 }),
  ]);
  await app.metering.stage.runUntilCaughtUp();
}

/** The reference catalog on `db`, October metered, and the clock on November 2 (October can be billed). */
export async function octoberFixture(db: Database): Promise<{ app: App; clock: ManualClock }> {
  const fixture = await meteringFixture(db);
  await meterOctober(fixture.app);
  fixture.clock.set('2026-11-02T00:00:00Z');
  return fixture;
}

/** octoberFixture on a fresh database of `stores`, with the database. */
export async function freshOctober(stores: TestStores): Promise<{ db: Database; app: App; clock: ManualClock }> {
  const db = await stores.fresh();
  return { db, ...(await octoberFixture(db)) };
}
