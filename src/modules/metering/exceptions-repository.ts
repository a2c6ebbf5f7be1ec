import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import { readRawEventsBySeq, type RawEvent } from '../ingestion/index.js';
import type { ExceptionStatus } from './rederive-repository.js';
import type { ExceptionReason } from './usage.js';

export interface ExceptionFilter {
  status?: ExceptionStatus;
  reason?: ExceptionReason;
  meter?: string;
  customer?: string;
  subject?: string;
  eventType?: string;
  /** Event time range [from, to). */
  from?: Date;
  to?: Date;
  /** Only ids after this one (paging). */
  afterId?: string;
  ids?: readonly string[];
}

export interface MeteringException {
  id: string;
  reason: ExceptionReason;
  detail: string;
  status: ExceptionStatus;
  meter: string;
  event: { seq: string; source: string; id: string; type: string; subject: string | null; time: string };
  customer: string | null;
  createdAt: string;
  updatedAt: string;
  resolution: string | null;
  resolvedBy: string | null;
}

const WHERE = `
 where ($1::text is null or e.status = $1)
   and ($2::text is null or e.reason = $2)
   and ($3::text is null or e.meter_key = $3)
   and ($4::text is null or e.customer_key = $4)
   and ($5::text is null or e.subject = $5)
   and ($6::text is null or e.event_type = $6)
   and ($7::timestamptz is null or e.event_time >= $7)
   and ($8::timestamptz is null or e.event_time < $8)
   and ($9::bigint is null or e.id > $9)
   and ($10::bigint[] is null or e.id = any($10))`;

function filterParams(filter: ExceptionFilter): unknown[] {
  return [
    filter.status ?? null,
    filter.reason ?? null,
    filter.meter ?? null,
    filter.customer ?? null,
    filter.subject ?? null,
    filter.eventType ?? null,
    filter.from ?? null,
    filter.to ?? null,
    filter.afterId ?? null,
    filter.ids ?? null,
  ];
}

interface ExceptionRow {
  id: string;
  reason: ExceptionReason;
  detail: string;
  status: ExceptionStatus;
  meter_key: string;
  event_seq: string;
  event_type: string;
  subject: string | null;
  event_time: Timestamp;
  customer_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  resolution: string | null;
  resolved_by: string | null;
}

/** The identity of an exception's event, which the raw event log keeps. */
type EventIdentity = Pick<RawEvent, 'source' | 'id'>;

function fromRow(row: ExceptionRow, event: EventIdentity): MeteringException {
  return {
    id: row.id,
    reason: row.reason,
    detail: row.detail,
    status: row.status,
    meter: row.meter_key,
    event: {
      seq: row.event_seq,
      source: event.source,
      id: event.id,
      type: row.event_type,
      subject: row.subject,
      time: new Date(row.event_time).toISOString(),
    },
    customer: row.customer_key,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    resolution: row.resolution,
    resolvedBy: row.resolved_by,
  };
}

/** Exceptions matching the filter in id order, with their event's identity (lineage). */
export async function findExceptions(
  db: Queryable,
  filter: ExceptionFilter,
  limit: number,
): Promise<MeteringException[]> {
  const result = await db.query<ExceptionRow>(
    `select e.id::text, e.reason, e.detail, e.status, e.meter_key, e.event_seq::text, e.event_type,
            e.subject, e.event_time, e.customer_key, e.created_at, e.updated_at, e.resolution, e.resolved_by
       from metering_exceptions e
     ${WHERE}
      order by e.id limit $11`,
    [...filterParams(filter), limit],
  );
  const seqs = [...new Set(result.rows.map((row) => row.event_seq))];
  const events = new Map((await readRawEventsBySeq(db, seqs, { withData: false })).map((event) => [event.seq, event]));
  return result.rows.map((row) => {
    // Raw events are never deleted (a trigger refuses it), so every exception's event is there.
    const event = events.get(row.event_seq);
    if (!event) throw new Error(`exception ${row.id} names event ${row.event_seq}, which the log does not hold`);
    return fromRow(row, event);
  });
}

export interface LockedException {
  id: string;
  eventSeq: string;
  meterKey: string;
  status: ExceptionStatus;
}

/** Ids, event seqs and meters of matching exceptions, locked for the rest of the transaction. */
export async function lockExceptions(
  db: Queryable,
  filter: ExceptionFilter,
  limit: number,
): Promise<LockedException[]> {
  const result = await db.query<{ id: string; event_seq: string; meter_key: string; status: ExceptionStatus }>(
    `select e.id::text, e.event_seq::text, e.meter_key, e.status from metering_exceptions e ${WHERE} order by e.id limit $11 for update`,
    [...filterParams(filter), limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    eventSeq: row.event_seq,
    meterKey: row.meter_key,
    status: row.status,
  }));
}

export async function countExceptions(
  db: Queryable,
): Promise<{ status: ExceptionStatus; reason: ExceptionReason; count: number }[]> {
  const result = await db.query<{ status: ExceptionStatus; reason: ExceptionReason; count: string }>(
    `select status, reason, count(*)::text as count from metering_exceptions group by status, reason order by status, reason`,
  );
  return result.rows.map((row) => ({ status: row.status, reason: row.reason, count: Number(row.count) }));
}
