import { beforeEach, expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import { testConfig } from '../../../test/harness/test-app.js';
import { createApp, type App } from '../../main.js';
import type { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { referenceCatalogDocument } from '../../../test/fixtures/reference-catalog.js';
import { createMeteringIndexSource } from './index-source.js';
import { createMeteringStage, type MeteringStage } from './metering-stage.js';
import {
  apiRequest,
  event,
  exceptionRows,
  ingestAll,
  meteringFixture,
  storageSnapshot,
  supportSession,
  usageRows,
} from '../../../test/fixtures/metering.js';

describeEachStore('metering stage', (stores) => {
  let db: Database;
  let app: App;
  let clock: ManualClock;
  // These events reach back most of a year: a horizon of ten years keeps them all in.
  const TEN_YEARS = 3650 * 86_400_000;
  const newStage = (batchSize = 2000, horizonMs = TEN_YEARS): MeteringStage =>
    createMeteringStage({ db, indexSource: createMeteringIndexSource(app.catalog), clock, batchSize, horizonMs });

  beforeEach(async () => {
    db = await stores.fresh();
    ({ app, clock } = await meteringFixture(db));
  });

  it('turns each event into usage, an exception with its reason, or telemetry', async () => {
    const events = [
      apiRequest('acct_1001', '2026-10-10T10:00:00Z', { region: 'us' }),
      apiRequest('acct_1001', '2026-10-10T10:00:01Z', { status: 500 }),
      storageSnapshot('globex', '2026-03-01T00:00:00Z', '12345678901234567890.123456789'),
      storageSnapshot('globex', '2026-02-01T00:00:00Z', 3),
      supportSession('nobody', '2026-10-01T00:00:00Z', { duration_hours: 1 }),
      supportSession('acme', '2026-10-01T00:00:00Z', { duration_hours: 'abc' }),
      supportSession('acme', '2026-10-01T00:00:00Z', { duration_hours: -2 }),
      supportSession('acme', '2026-10-01T00:00:00Z', {}),
      storageSnapshot('acme', '2025-12-01T00:00:00Z', 5),
      event('com.example.unknown', 'acme', '2026-10-01T00:00:00Z', {}),
      apiRequest(undefined, '2026-10-10T10:00:00Z'),
      supportSession('acct_1002', '2026-10-02T00:00:00Z', { duration_hours: 1.25 }),
    ];
    await ingestAll(app, events);
    const batches = await newStage().runUntilCaughtUp();
    expect(batches.reduce((sum, b) => sum + b.events, 0)).toBe(events.length);

    const id = (i: number) => events[i]?.id;
    expect(await usageRows(db)).toEqual([
      expect.objectContaining({
        meter_key: 'api_calls',
        event_id: id(0),
        customer_key: 'acme',
        subscription_key: 'acme-growth-2026',
        legal_entity: 'US',
        currency: 'USD',
        value: null,
        dimensions: { region: 'us' },
        catalog_version: 1,
      }),
      expect.objectContaining({
        meter_key: 'storage_gb',
        event_id: id(2),
        customer_key: 'globex',
        subscription_key: 'globex-growth-2026',
        legal_entity: 'EU',
        currency: 'EUR',
        value: '12345678901234567890.123456789',
      }),
      expect.objectContaining({ meter_key: 'support_hours', event_id: id(11), customer_key: 'acme', value: '1.25' }),
    ]);
    expect((await exceptionRows(db)).map((e) => [e.event_id, e.reason, e.status])).toEqual([
      [id(3), 'no_active_subscription', 'open'],
      [id(4), 'unknown_subject', 'open'],
      [id(5), 'non_numeric_value', 'open'],
      [id(6), 'negative_value', 'open'],
      [id(7), 'missing_value', 'open'],
      [id(10), 'unknown_subject', 'open'],
    ]);
    const details = Object.fromEntries((await exceptionRows(db)).map((e) => [e.event_id, e.detail]));
    expect(details[id(4) as string]).toBe('subject "nobody" is no customer\'s key or alias');
    expect(details[id(5) as string]).toBe('data.duration_hours is a string that is not a decimal number');
    expect(details[id(3) as string]).toBe('customer globex has no subscription active at 2026-02-01T00:00:00.000Z');
    // Not billable: a filtered-out request, a snapshot before the meter's effectiveFrom, an unknown type.
    const telemetry = await db.query('select event_type, events::int from telemetry_counts order by event_type');
    expect(telemetry.rows).toEqual([
      { event_type: 'com.example.api.request', events: 1 },
      { event_type: 'com.example.storage.snapshot', events: 1 },
      { event_type: 'com.example.unknown', events: 1 },
    ]);
  });

  it('never meters an event twice: re-runs, restarts and two workers at once add nothing', async () => {
    const events = Array.from({ length: 250 }, (_, i) =>
      apiRequest(i % 2 ? 'acme' : 'acct_1002', `2026-10-10T10:${String(i % 60).padStart(2, '0')}:00Z`),
    );
    await ingestAll(app, events.slice(0, 100));
    await newStage(40).runUntilCaughtUp();
    await ingestAll(app, events.slice(100));
    // Two workers (each its own stage and index) race over the rest in small batches.
    await Promise.all([newStage(30).runUntilCaughtUp(), newStage(30).runUntilCaughtUp()]);
    await newStage().runUntilCaughtUp();
    const counted = await db.query<{ records: number; events: number }>(
      'select count(*)::int as records, count(distinct event_seq)::int as events from usage_records',
    );
    expect(counted.rows[0]).toEqual({ records: 250, events: 250 });
    const cursor = await db.query<{ events_processed: number }>(
      `select events_processed::int from stage_cursors where stage = 'metering'`,
    );
    expect(cursor.rows[0]?.events_processed).toBe(250);
  });

  it('waits for a catalog before reading anything', async () => {
    const bare = await stores.fresh();
    const other = await createApp(testConfig(), { db: bare, clock });
    await ingestAll(other, [apiRequest('acme', '2026-10-10T10:00:00Z')]);
    const stage = createMeteringStage({
      db: bare,
      indexSource: createMeteringIndexSource(other.catalog),
      clock,
      horizonMs: TEN_YEARS,
    });
    expect(await stage.runBatch()).toMatchObject({ events: 0, catalogVersion: undefined });
    expect((await bare.query('select count(*)::int as n from telemetry_counts')).rows[0]).toEqual({ n: 0 });
  });

  it('reads a changed meter by the definition in force at each event time', async () => {
    const document = referenceCatalogDocument();
    const storage = document.meters.find((m: { key: string }) => m.key === 'storage_gb');
    storage.valuePath = 'usage.gb_v2';
    storage.effectiveFrom = '2026-06-01T00:00:00Z';
    expect((await app.catalog.apply(JSON.stringify(document), 'catalog.json', 'test')).created).toBe(true);
    await ingestAll(app, [
      event('com.example.storage.snapshot', 'acme', '2026-05-31T23:59:59Z', { usage: { gigabytes: 7, gb_v2: 70 } }),
      event('com.example.storage.snapshot', 'acme', '2026-06-01T00:00:00Z', { usage: { gigabytes: 8, gb_v2: 80 } }),
    ]);
    await newStage().runUntilCaughtUp();
    expect(
      (await usageRows(db)).map((r) => [
        r.value,
        r.catalog_version,
        r.meter_effective_from && new Date(r.meter_effective_from as string).toISOString(),
      ]),
    ).toEqual([
      ['7', 2, '2026-01-01T00:00:00.000Z'],
      ['80', 2, '2026-06-01T00:00:00.000Z'],
    ]);
  });

  it('holds events that arrive beyond the horizon as exceptions, until a person accepts them', async () => {
    const events = [
      supportSession('acme', '2026-08-01T00:00:00Z', { duration_hours: 1 }),
      supportSession('acme', '2026-08-04T00:00:00Z', { duration_hours: 2 }),
    ];
    await ingestAll(app, events);
    await newStage(2000, 90 * 86_400_000).runUntilCaughtUp();
    const held = await exceptionRows(db);
    expect(held.map((row) => [row.event_id, row.reason])).toEqual([[events[0]?.id, 'beyond_horizon']]);
    expect(held[0]?.detail).toBe(
      'the event arrived 92 days after its time, beyond the 90-day horizon: a person must accept it (reprocess with acceptBeyondHorizon) or ignore it',
    );
    expect((await usageRows(db)).map((row) => row.value)).toEqual(['2']);
    // Reprocessing alone changes nothing; accepting it turns it into usage.
    expect(await app.metering.exceptions.reprocess({}, 'alice')).toMatchObject({ selected: 1, stillOpen: 1 });
    expect(await app.metering.exceptions.reprocess({ acceptBeyondHorizon: true }, 'alice')).toMatchObject({
      selected: 1,
      stillOpen: 0,
      usage: { created: 1 },
    });
  });

  it('falls back to row-by-row inserts, keeping what exists, should a batch meet a record already there', async () => {
    const events = Array.from({ length: 5 }, (_, i) => apiRequest('acme', `2026-10-0${i + 1}T00:00:00Z`));
    await ingestAll(app, events);
    // A record nothing but a bug could have written: the unique key must keep it, and the batch must go on.
    await db.query(
      `insert into usage_records (event_seq, meter_key, event_time, received_at, customer_key, subscription_key, legal_entity, currency, catalog_version, derived_at)
       select seq, 'api_calls', time, received_at, 'acme', 'acme-growth-2026', 'US', 'USD', 99, now() from raw_events where id = $1`,
      [events[2]?.id],
    );
    await newStage().runUntilCaughtUp();
    const rows = await usageRows(db);
    expect(rows).toHaveLength(5);
    expect(rows.map((row) => row.catalog_version)).toEqual([1, 1, 99, 1, 1]);
  });
});
