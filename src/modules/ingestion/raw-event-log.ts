import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';

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
  /** The JSON text of the data at each requested value path (null where missing), read exactly. */
  values: (string | null)[];
}

interface RawEventRow {
  seq: string;
  tx_id: string;
  source: string;
  id: string;
  type: string;
  subject: string | null;
  time: Timestamp;
  data: Record<string, unknown> | null;
  schema_version: number | null;
  received_at: Timestamp;
  picked: (string | null)[];
}

/**
 * The columns a reader gets, and the JSON text of each value path: jsonb keeps numbers as numeric, so
 * its text is the exact decimal the producer sent, which a JavaScript float would not always be. Each
 * path is its own parameter (placeholders from `firstPathParam`), read with one `#>` per row.
 */
function columns(pathCount: number, firstPathParam: number, withData: boolean): string {
  const picked = Array.from(
    { length: pathCount },
    (_, i) => `(raw_events.data #> $${firstPathParam + i}::text[])::text`,
  );
  return `seq::text, tx_id::text, source, id, type, subject, time, ${withData ? 'data' : 'null::jsonb as data'}, schema_version, received_at,
    ${picked.length > 0 ? `array[${picked.join(', ')}]` : `'{}'::text[]`} as picked`;
}

/** What a reader wants besides the envelope: the JSON text at these data paths, and the whole `data` or not. */
export interface ReadOptions {
  paths?: readonly string[];
  /** Default true. Readers that pick the paths they need skip it: copying whole objects is most of a read. */
  withData?: boolean;
}

const pathParams = (valuePaths: readonly string[]) => valuePaths.map((path) => path.split('.'));

// Sequence numbers are handed out before commit, so with concurrent writers a smaller seq can become
// visible after a larger one. Reading only rows whose inserting transaction is older than every
// transaction still running, in (tx_id, seq) order, means nothing can appear behind a reader's cursor.
// (Ordering names the table's columns: the select list's text casts share their names.) The start of
// the log is position (0, 0), so the one row comparison always walks the (tx_id, seq) index in order.
const readAfter = (paths: number, withData: boolean) => `
select ${columns(paths, 4, withData)}
  from raw_events
 where tx_id < pg_snapshot_xmin(pg_current_snapshot())
   and (tx_id, seq) > ($1::xid8, $2::bigint)
 order by raw_events.tx_id, raw_events.seq
 limit $3`;

// Replay pages through the log by seq; only what a stage has passed (at or before its cursor).
const readTimeRange = (paths: number, withData: boolean) => `
select ${columns(paths, 7, withData)}
  from raw_events
 where time >= $1 and time < $2
   and raw_events.seq > $3::bigint
   and (tx_id, raw_events.seq) <= ($4::xid8, $5::bigint)
 order by raw_events.seq
 limit $6`;

const readBySeq = (paths: number, withData: boolean) =>
  `select ${columns(paths, 2, withData)} from raw_events where raw_events.seq = any($1::bigint[]) order by raw_events.seq`;

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
    values: row.picked,
  };
}

/** The next events of the log after `after` (from the start when null), in ingestion order, gap-free. */
export async function readRawEventsAfter(
  db: Queryable,
  after: RawEventCursor | null,
  limit: number,
  { paths = [], withData = true }: ReadOptions = {},
): Promise<RawEvent[]> {
  const params = [after?.txId ?? '0', after?.seq ?? '0', limit, ...pathParams(paths)];
  const result = await db.query<RawEventRow>(readAfter(paths.length, withData), params);
  return result.rows.map(fromRowRawEvent);
}

export interface TimeRangePage {
  /** Event time range, [from, to). */
  from: Date;
  to: Date;
  /** Events with a larger seq than this ("0" from the start). */
  afterSeq: string;
  /** Only events at or before this log position. */
  upTo: RawEventCursor;
}

/** One page of the events whose time falls in [from, to), in seq order, up to a log position. */
export async function readRawEventsInTimeRange(
  db: Queryable,
  page: TimeRangePage,
  limit: number,
  { paths = [], withData = true }: ReadOptions = {},
): Promise<RawEvent[]> {
  const params = [page.from, page.to, page.afterSeq, page.upTo.txId, page.upTo.seq, limit, ...pathParams(paths)];
  const result = await db.query<RawEventRow>(readTimeRange(paths.length, withData), params);
  return result.rows.map(fromRowRawEvent);
}

/** The events with these seqs, in seq order (missing seqs are left out). */
export async function readRawEventsBySeq(
  db: Queryable,
  seqs: readonly string[],
  { paths = [], withData = true }: ReadOptions = {},
): Promise<RawEvent[]> {
  const result = await db.query<RawEventRow>(readBySeq(paths.length, withData), [seqs, ...pathParams(paths)]);
  return result.rows.map(fromRowRawEvent);
}

/**
 * How far the log runs ahead of a position (from the start when null): events not yet read, counted up
 * to `cap`, and the oldest one's acceptance time.
 */
export async function countRawEventsAfter(
  db: Queryable,
  position: RawEventCursor | null,
  cap: number,
): Promise<{ events: number; oldestReceivedAt: Date | null }> {
  const result = await db.query<{ events: string; oldest: Timestamp | null }>(
    `select count(*)::text as events, min(received_at) as oldest from (
       select received_at from raw_events
        where $1::xid8 is null or (tx_id, seq) > ($1::xid8, $2::bigint)
        order by tx_id, seq limit $3) ahead`,
    [position?.txId ?? null, position?.seq ?? null, cap],
  );
  const row = result.rows[0];
  return { events: Number(row?.events ?? 0), oldestReceivedAt: row?.oldest ? new Date(row.oldest) : null };
}

/** How many events with a time in [from, to) the log holds at or before a position. */
export async function countRawEventsInTimeRange(
  db: Queryable,
  range: { from: Date; to: Date; upTo: RawEventCursor },
): Promise<number> {
  const result = await db.query<{ n: string }>(
    `select count(*)::text as n from raw_events where time >= $1 and time < $2 and (tx_id, seq) <= ($3::xid8, $4::bigint)`,
    [range.from, range.to, range.upTo.txId, range.upTo.seq],
  );
  return Number(result.rows[0]?.n ?? 0);
}
