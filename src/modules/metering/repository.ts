import { copyTextRow } from '../../platform/database/copy-text.js';
import type { Queryable, Transaction } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import type { RawEventCursor } from '../ingestion/index.js';
import type { ExceptionDraft, UsageDraft } from './usage.js';

export interface StageCursor {
  position: RawEventCursor | null;
  eventsProcessed: number;
}

/**
 * Takes the stage's cursor row for the rest of the transaction: a second worker of the same stage
 * waits here, so batches never overlap (and the unique keys catch anything that slips past).
 */
export async function lockCursor(db: Queryable, stage: string, now: Date): Promise<StageCursor> {
  await db.query(`insert into stage_cursors (stage, updated_at) values ($1, $2) on conflict (stage) do nothing`, [
    stage,
    now,
  ]);
  const result = await db.query<{ tx_id: string | null; seq: string | null; events_processed: string }>(
    `select tx_id::text, seq::text, events_processed::text from stage_cursors where stage = $1 for update`,
    [stage],
  );
  const row = result.rows[0] as { tx_id: string | null; seq: string | null; events_processed: string };
  return {
    position: row.tx_id === null || row.seq === null ? null : { txId: row.tx_id, seq: row.seq },
    eventsProcessed: Number(row.events_processed),
  };
}

export async function readCursor(db: Queryable, stage: string): Promise<RawEventCursor | null> {
  const result = await db.query<{ tx_id: string | null; seq: string | null }>(
    `select tx_id::text, seq::text from stage_cursors where stage = $1`,
    [stage],
  );
  const row = result.rows[0];
  return row?.tx_id && row.seq ? { txId: row.tx_id, seq: row.seq } : null;
}

export async function advanceCursor(
  db: Queryable,
  stage: string,
  position: RawEventCursor,
  events: number,
  now: Date,
): Promise<void> {
  await db.query(
    `update stage_cursors set tx_id = $2::xid8, seq = $3::bigint, events_processed = events_processed + $4, updated_at = $5 where stage = $1`,
    [stage, position.txId, position.seq, events, now],
  );
}

const INSERT_USAGE = `
insert into usage_records (event_seq, meter_key, event_time, received_at, customer_key, subscription_key, legal_entity,
                           currency, value, distinct_key, dimensions, catalog_version, meter_effective_from, derived_at)
select u.event_seq, u.meter_key, u.event_time, u.received_at, u.customer_key, u.subscription_key, u.legal_entity,
       u.currency, u.value, u.distinct_key, u.dimensions::jsonb, u.catalog_version, u.meter_effective_from, $14
  from unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
              $8::text[], $9::numeric[], $10::text[], $11::text[], $12::int[], $13::timestamptz[])
       as u(event_seq, meter_key, event_time, received_at, customer_key, subscription_key, legal_entity,
            currency, value, distinct_key, dimensions, catalog_version, meter_effective_from)
    on conflict (event_seq, meter_key) do nothing`;

/** Inserts records, skipping any whose (event, meter) already has one; returns how many were new. */
export async function insertUsage(db: Queryable, records: readonly UsageDraft[], derivedAt: Date): Promise<number> {
  if (records.length === 0) return 0;
  const result = await db.query(INSERT_USAGE, [
    records.map((r) => r.eventSeq),
    records.map((r) => r.meterKey),
    records.map((r) => r.eventTime),
    records.map((r) => r.receivedAt),
    records.map((r) => r.customerKey),
    records.map((r) => r.subscriptionKey),
    records.map((r) => r.legalEntity),
    records.map((r) => r.currency),
    records.map((r) => r.value),
    records.map((r) => r.distinctKey),
    records.map((r) => JSON.stringify(r.dimensions)),
    records.map((r) => r.catalogVersion),
    records.map((r) => r.meterEffectiveFrom),
    derivedAt,
  ]);
  return result.rowCount;
}

const USAGE_COLUMNS = [
  'event_seq',
  'meter_key',
  'event_time',
  'received_at',
  'customer_key',
  'subscription_key',
  'legal_entity',
  'currency',
  'value',
  'distinct_key',
  'dimensions',
  'catalog_version',
  'meter_effective_from',
  'derived_at',
] as const;

const UNIQUE_VIOLATION = '23505';

/**
 * Inserts a batch of new records by COPY, the stage's fast path: a batch of events after the cursor
 * cannot already have records (the cursor lock keeps other writers to events the stage has read), so
 * COPY meets no conflict. Should it meet one anyway, the savepoint undoes the COPY alone and the batch
 * goes in row by row, skipping what exists — the unique key stays the guarantee either way.
 */
export async function copyUsage(tx: Transaction, records: readonly UsageDraft[], derivedAt: Date): Promise<number> {
  if (records.length === 0) return 0;
  const derived = derivedAt.toISOString();
  const rows = records
    .map((r) =>
      copyTextRow([
        r.eventSeq,
        r.meterKey,
        r.eventTime.toISOString(),
        r.receivedAt.toISOString(),
        r.customerKey,
        r.subscriptionKey,
        r.legalEntity,
        r.currency,
        r.value,
        r.distinctKey,
        JSON.stringify(r.dimensions),
        r.catalogVersion,
        r.meterEffectiveFrom,
        derived,
      ]),
    )
    .join('\n');
  await tx.query('savepoint usage_copy');
  try {
    const copied = await tx.copyIn('usage_records', USAGE_COLUMNS, `${rows}\n`);
    await tx.query('release savepoint usage_copy');
    return copied;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await tx.query('rollback to savepoint usage_copy');
    return insertUsage(tx, records, derivedAt);
  }
}

const INSERT_EXCEPTIONS = `
insert into metering_exceptions (event_seq, meter_key, reason, detail, event_type, subject, customer_key, event_time, created_at, updated_at)
select e.event_seq, e.meter_key, e.reason, e.detail, e.event_type, e.subject, e.customer_key, e.event_time, $9, $9
  from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       as e(event_seq, meter_key, reason, detail, event_type, subject, customer_key, event_time)
    on conflict (event_seq, meter_key) do nothing`;

export async function insertExceptions(
  db: Queryable,
  exceptions: readonly ExceptionDraft[],
  now: Date,
): Promise<number> {
  if (exceptions.length === 0) return 0;
  const result = await db.query(INSERT_EXCEPTIONS, [
    exceptions.map((e) => e.eventSeq),
    exceptions.map((e) => e.meterKey),
    exceptions.map((e) => e.reason),
    exceptions.map((e) => e.detail),
    exceptions.map((e) => e.eventType),
    exceptions.map((e) => e.subject),
    exceptions.map((e) => e.customerKey),
    exceptions.map((e) => e.eventTime),
    now,
  ]);
  return result.rowCount;
}

export interface TelemetryTally {
  eventType: string;
  events: number;
  lastEventTime: Date;
}

export async function addTelemetry(db: Queryable, tallies: readonly TelemetryTally[]): Promise<void> {
  if (tallies.length === 0) return;
  await db.query(
    `insert into telemetry_counts (event_type, events, last_event_time)
     select * from unnest($1::text[], $2::bigint[], $3::timestamptz[])
         on conflict (event_type) do update
        set events = telemetry_counts.events + excluded.events,
            last_event_time = greatest(telemetry_counts.last_event_time, excluded.last_event_time)`,
    [tallies.map((t) => t.eventType), tallies.map((t) => t.events), tallies.map((t) => t.lastEventTime)],
  );
}

export async function listTelemetry(db: Queryable): Promise<TelemetryTally[]> {
  const result = await db.query<{ event_type: string; events: string; last_event_time: Timestamp }>(
    `select event_type, events::text, last_event_time from telemetry_counts order by event_type`,
  );
  return result.rows.map((row) => ({
    eventType: row.event_type,
    events: Number(row.events),
    lastEventTime: new Date(row.last_event_time),
  }));
}

/**
 * Which of these meters have usage records or exceptions. Takes the stage's cursor first, so that a
 * catalog apply asking this waits for a batch in flight and no batch starts until the apply commits.
 */
export async function metersInUse(
  db: Queryable,
  stage: string,
  meterKeys: readonly string[],
  now: Date,
): Promise<ReadonlySet<string>> {
  await lockCursor(db, stage, now);
  const result = await db.query<{ key: string }>(
    `select key from unnest($1::text[]) as k(key)
      where exists (select 1 from usage_records where meter_key = k.key)
         or exists (select 1 from metering_exceptions where meter_key = k.key)`,
    [meterKeys],
  );
  return new Set(result.rows.map((row) => row.key));
}
