import type { Queryable } from '../../platform/database/database.js';
import { iso, type Timestamp } from '../../platform/database/row-timestamp.js';
import { METERING_STAGE } from './metering-stage.js';
import type { ExceptionStatus } from './rederive-repository.js';
import type { ExceptionReason } from './usage.js';

// What metering made of one event, for lineage: its usage records (one per meter that read it), its
// exceptions (a meter matched it, with the reason it could not be billed), and whether the stage has
// passed it at all (if it has and there is neither, no meter reads it: telemetry).

/** One usage record of an event. */
export interface EventUsageRecord {
  eventSeq: string;
  meter: string;
  time: string;
  customer: string;
  subscription: string;
  legalEntity: string;
  currency: string;
  /** Exact decimal text; null for a count meter without a value path. */
  value: string | null;
  dimensions: Record<string, unknown>;
  catalogVersion: number;
  /** The finalized (or voided) document that bills it; null while no document does. */
  invoiceId: string | null;
}

interface EventUsageRecordRow {
  event_seq: string;
  meter_key: string;
  event_time: Timestamp;
  customer_key: string;
  subscription_key: string;
  legal_entity: string;
  currency: string;
  value: string | null;
  dimensions: Record<string, unknown>;
  catalog_version: number | string;
  invoice_id: string | null;
}

const fromRowEventUsageRecord = (row: EventUsageRecordRow): EventUsageRecord => ({
  eventSeq: row.event_seq,
  meter: row.meter_key,
  time: iso(row.event_time),
  customer: row.customer_key,
  subscription: row.subscription_key,
  legalEntity: row.legal_entity,
  currency: row.currency,
  value: row.value,
  dimensions: row.dimensions,
  catalogVersion: Number(row.catalog_version),
  invoiceId: row.invoice_id,
});

/** The usage records of one event, by meter. */
export async function findUsageOfEvent(db: Queryable, eventSeq: string): Promise<EventUsageRecord[]> {
  const result = await db.query<EventUsageRecordRow>(
    `select event_seq::text, meter_key, event_time, customer_key, subscription_key, legal_entity, currency,
            value::text as value, dimensions, catalog_version, invoice_id
       from usage_records where event_seq = $1::bigint order by meter_key`,
    [eventSeq],
  );
  return result.rows.map(fromRowEventUsageRecord);
}

/** One exception of an event: the meter that matched it and why it is not usage. */
export interface EventException {
  id: string;
  meter: string;
  reason: ExceptionReason;
  detail: string;
  status: ExceptionStatus;
  /** How it closed (reprocessed, replayed, not_metered, or why it was ignored); null while open. */
  resolution: string | null;
}

interface EventExceptionRow {
  id: string;
  meter_key: string;
  reason: ExceptionReason;
  detail: string;
  status: ExceptionStatus;
  resolution: string | null;
}

/** The exceptions of one event, by meter. */
export async function findExceptionsOfEvent(db: Queryable, eventSeq: string): Promise<EventException[]> {
  const result = await db.query<EventExceptionRow>(
    `select id::text, meter_key, reason, detail, status, resolution
       from metering_exceptions where event_seq = $1::bigint order by meter_key`,
    [eventSeq],
  );
  return result.rows.map((row) => ({
    id: row.id,
    meter: row.meter_key,
    reason: row.reason,
    detail: row.detail,
    status: row.status,
    resolution: row.resolution,
  }));
}

/** Whether the metering stage has read the event at this log position (its cursor is at or past it). */
export async function isMetered(db: Queryable, position: { txId: string; seq: string }): Promise<boolean> {
  const result = await db.query<{ passed: boolean }>(
    `select (tx_id, seq) >= ($2::xid8, $3::bigint) as passed from stage_cursors where stage = $1 and tx_id is not null`,
    [METERING_STAGE, position.txId, position.seq],
  );
  return result.rows[0]?.passed === true;
}
