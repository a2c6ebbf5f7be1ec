// Usage records written straight into a migrated database, for tests of queries over them: each
// record gets its own raw event (the foreign key), in the order given, so seq follows that order.
import type { Aggregation, Meter } from '../catalog/index.js';
import type { Queryable } from '../../platform/database/database.js';

export interface UsageFixture {
  meter: string;
  time: string;
  value?: string | null;
  distinctKey?: string | null;
  customer?: string;
  subscription?: string;
  legalEntity?: string;
  currency?: string;
  dimensions?: Record<string, unknown>;
  receivedAt?: string;
}

let events = 0;

/** Inserts the records in order; returns their event seqs. */
export async function insertUsage(db: Queryable, records: readonly UsageFixture[]): Promise<string[]> {
  const seqs: string[] = [];
  for (const record of records) {
    events += 1;
    const receivedAt = record.receivedAt ?? '2026-12-01T00:00:00Z';
    const customer = record.customer ?? 'acme';
    const raw = await db.query<{ seq: string }>(
      `insert into raw_events (source, id, type, subject, time, data, payload_hash, received_at)
       values ('usage-test', $1, 'com.example.test', $2, $3, '{}', 'hash', $4) returning seq::text as seq`,
      [`usage-${process.pid}-${events}`, customer, record.time, receivedAt],
    );
    const seq = (raw.rows[0] as { seq: string }).seq;
    await db.query(
      `insert into usage_records (event_seq, meter_key, event_time, received_at, customer_key, subscription_key, legal_entity,
         currency, value, distinct_key, dimensions, catalog_version, derived_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, 1, $4)`,
      [
        seq,
        record.meter,
        record.time,
        receivedAt,
        customer,
        record.subscription ?? `${customer}-sub`,
        record.legalEntity ?? 'US',
        record.currency ?? 'USD',
        record.value === undefined ? '1' : record.value,
        record.distinctKey ?? null,
        JSON.stringify(record.dimensions ?? {}),
      ],
    );
    seqs.push(seq);
  }
  return seqs;
}

/** A meter as the catalog would hold it; only key, aggregation, groupBy and unit matter to a query. */
export function testMeter(key: string, aggregation: Aggregation, groupBy?: string[]): Meter {
  return {
    key,
    eventType: 'com.example.test',
    aggregation,
    unit: 'unit',
    allowNegative: false,
    ...(aggregation === 'count' ? {} : { valuePath: 'v' }),
    ...(groupBy ? { groupBy } : {}),
  };
}
