import type { Queryable } from '../../platform/database/database.js';

/** A position in the raw event log; opaque to readers, who pass back the last one they saw. */
export interface RawEventCursor {
  txId: string;
  seq: string;
}

export interface RawEvent {
  seq: string;
  source: string;
  id: string;
  type: string;
  subject: string | null;
  time: Date;
  data: Record<string, unknown> | null;
  schemaVersion: number | null;
  receivedAt: Date;
  cursor: RawEventCursor;
}

interface RawEventRow {
  seq: string;
  tx_id: string;
  source: string;
  id: string;
  type: string;
  subject: string | null;
  time: Date | string;
  data: Record<string, unknown> | null;
  schema_version: number | null;
  received_at: Date | string;
}

// Sequence numbers are handed out before commit, so with concurrent writers a smaller seq can become
// visible after a larger one. Reading only rows whose inserting transaction is older than every
// transaction still running, in (tx_id, seq) order, means nothing can appear behind a reader's cursor.
// (Ordering names the table's columns: the select list's text casts share their names.)
const READ_AFTER = `
select seq::text, tx_id::text, source, id, type, subject, time, data, schema_version, received_at
  from raw_events
 where tx_id < pg_snapshot_xmin(pg_current_snapshot())
   and ($1::xid8 is null or (tx_id, seq) > ($1::xid8, $2::bigint))
 order by raw_events.tx_id, raw_events.seq
 limit $3`;

function fromRowRawEvent(row: RawEventRow): RawEvent {
  return {
    seq: row.seq,
    source: row.source,
    id: row.id,
    type: row.type,
    subject: row.subject,
    time: new Date(row.time),
    data: row.data,
    schemaVersion: row.schema_version,
    receivedAt: new Date(row.received_at),
    cursor: { txId: row.tx_id, seq: row.seq },
  };
}

/** The next events of the log after `after` (from the start when null), in ingestion order, gap-free. */
export async function readRawEventsAfter(db: Queryable, after: RawEventCursor | null, limit: number): Promise<RawEvent[]> {
  const result = await db.query<RawEventRow>(READ_AFTER, [after?.txId ?? null, after?.seq ?? null, limit]);
  return result.rows.map(fromRowRawEvent);
}
