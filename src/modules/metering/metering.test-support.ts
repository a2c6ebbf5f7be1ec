import { randomUUID } from 'node:crypto';
import { testConfig } from '../../../test/harness/test-app.js';
import { createApp, type App } from '../../main.js';
import { ManualClock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { referenceCatalogYaml } from '../catalog/reference-catalog.test-support.js';

/** The reference catalog applied on a fresh store, with a clock set after every event the tests send. */
export async function meteringFixture(db: Database): Promise<{ app: App; clock: ManualClock }> {
  const clock = new ManualClock('2026-11-01T00:00:00.000Z');
  const app = await createApp(testConfig(), { db, clock });
  await app.catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'test');
  return { app, clock };
}

/** Reference-scenario events by kind; `data` and attributes override the defaults. */
export function apiRequest(
  subject: string | undefined,
  time: string,
  data: Record<string, unknown> = {},
): Record<string, unknown> {
  return event('com.example.api.request', subject, time, { status: 200, billable: true, region: 'us', ...data });
}

export function storageSnapshot(subject: string, time: string, gigabytes: unknown): Record<string, unknown> {
  return event('com.example.storage.snapshot', subject, time, { usage: { gigabytes } });
}

export function supportSession(subject: string, time: string, data: Record<string, unknown>): Record<string, unknown> {
  return event('com.example.support.session', subject, time, { tier: 'premium', ...data });
}

export function event(
  type: string,
  subject: string | undefined,
  time: string,
  data: Record<string, unknown>,
): Record<string, unknown> {
  const value: Record<string, unknown> = {
    specversion: '1.0',
    id: randomUUID(),
    source: 'test/product',
    type,
    time,
    data,
  };
  if (subject !== undefined) value.subject = subject;
  return value;
}

/** Ingests events; throws unless every one is accepted. */
export async function ingestAll(app: App, events: readonly Record<string, unknown>[]): Promise<void> {
  const result = await app.ingestion.ingest(events.map((value) => ({ value })));
  if (result.accepted !== events.length)
    throw new Error(`ingested ${result.accepted} of ${events.length}: ${JSON.stringify(result)}`);
}

export async function usageRows(db: Database): Promise<Record<string, unknown>[]> {
  const result = await db.query(
    `select u.meter_key, r.id as event_id, u.customer_key, u.subscription_key, u.legal_entity, u.currency, u.value::text as value,
            u.distinct_key, u.dimensions, u.catalog_version, u.meter_effective_from
       from usage_records u join raw_events r on r.seq = u.event_seq order by u.event_seq, u.meter_key`,
  );
  return result.rows;
}

export async function exceptionRows(db: Database): Promise<Record<string, unknown>[]> {
  const result = await db.query(
    `select e.meter_key, r.id as event_id, e.reason, e.detail, e.customer_key, e.status, e.resolution
       from metering_exceptions e join raw_events r on r.seq = e.event_seq order by e.event_seq, e.meter_key`,
  );
  return result.rows;
}
