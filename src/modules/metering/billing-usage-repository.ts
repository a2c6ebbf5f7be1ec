import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';
import type { Aggregation } from '../catalog/index.js';

// Billing's door onto usage records: the aggregates it prices, the values percentage charges need, the
// marks that say which invoice bills a record, and the records behind a line. Billing passes its windows
// in; it never names this module's tables.

/** A subscription's period whose usage a billing run reads: events in [start, end). */
export interface SubscriptionWindow {
  subscriptionKey: string;
  start: Date;
  end: Date;
}

/** Every aggregation of one meter's records in one window (or one group-by value of it), exact text. */
export interface MeterAggregate {
  subscriptionKey: string;
  periodStart: string;
  meterKey: string;
  /** Group-by values, or null for the window's total. */
  dimensions: Record<string, unknown> | null;
  count: string;
  sum: string | null;
  max: string | null;
  min: string | null;
  avg: string | null;
  uniqueCount: string;
  latest: string | null;
}

// One pass over the period's records: totals per (subscription, period, meter) and per group-by value,
// computed in SQL on numeric. `latest` is by event time (the later seq breaks a tie), never arrival.
// `unique_count` and `latest` sort within every group, so they are computed only when some meter of the
// catalog aggregates that way (the reference catalog has none: the query then takes about half the time).
const aggregateColumns = (needs: ReadonlySet<Aggregation>) => `
       count(u.event_seq)::text as count, sum(u.value)::text as sum, max(u.value)::text as max, min(u.value)::text as min,
       avg(u.value)::text as avg,
       ${needs.has('unique_count') ? 'count(distinct u.distinct_key)::text' : "'0'"} as unique_count,
       ${needs.has('latest') ? '(array_agg(u.value::text order by u.event_time desc, u.event_seq desc) filter (where u.value is not null))[1]' : 'null::text'} as latest`;

const aggregateSql = (needs: ReadonlySet<Aggregation>) => `
select w.sub as subscription_key, w.ps as period_start, u.meter_key, u.dimensions::text as dimensions,
       grouping(u.dimensions::text) as total, ${aggregateColumns(needs)}
  from unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) as w(sub, ps, pe)
  join usage_records u on u.subscription_key = w.sub and u.event_time >= w.ps and u.event_time < w.pe
 group by grouping sets ((w.sub, w.ps, u.meter_key, u.dimensions::text), (w.sub, w.ps, u.meter_key))`;

interface AggregateRow {
  subscription_key: string;
  period_start: Timestamp;
  meter_key: string;
  dimensions: string | null;
  total: number;
  count: string;
  sum: string | null;
  max: string | null;
  min: string | null;
  avg: string | null;
  unique_count: string;
  latest: string | null;
}

/**
 * Every aggregation of each meter in each window. `needs` lists the aggregations the caller will read
 * (the catalog's meters'): `uniqueCount` is "0" and `latest` null unless asked for.
 */
export async function aggregateUsage(
  db: Queryable,
  windows: readonly SubscriptionWindow[],
  needs: ReadonlySet<Aggregation>,
): Promise<MeterAggregate[]> {
  if (windows.length === 0) return [];
  const result = await db.query<AggregateRow>(aggregateSql(needs), [
    windows.map((w) => w.subscriptionKey),
    windows.map((w) => w.start),
    windows.map((w) => w.end),
  ]);
  return result.rows.map(fromAggregateRow);
}

function fromAggregateRow(row: AggregateRow): MeterAggregate {
  return {
    subscriptionKey: row.subscription_key,
    periodStart: new Date(row.period_start).toISOString(),
    meterKey: row.meter_key,
    dimensions: Number(row.total) === 1 ? null : (JSON.parse(row.dimensions as string) as Record<string, unknown>),
    count: row.count,
    sum: row.sum,
    max: row.max,
    min: row.min,
    avg: row.avg,
    uniqueCount: row.unique_count,
    latest: row.latest,
  };
}

/** The quantity a meter's aggregation gives; "0" where a value aggregation has no value. */
export function quantityOf(aggregate: MeterAggregate | undefined, aggregation: Aggregation): string {
  if (!aggregate) return '0';
  switch (aggregation) {
    case 'count':
      return aggregate.count;
    case 'unique_count':
      return aggregate.uniqueCount;
    default:
      return aggregate[aggregation] ?? '0';
  }
}

/** Each event's value in event order, for percentage charges (their free events and per-event limits). */
export async function eventValues(db: Queryable, window: SubscriptionWindow, meterKey: string): Promise<string[]> {
  const result = await db.query<{ value: string }>(
    `select value::text as value from usage_records
      where subscription_key = $1 and meter_key = $2 and event_time >= $3 and event_time < $4 and value is not null
      order by event_time, event_seq`,
    [window.subscriptionKey, meterKey, window.start, window.end],
  );
  return result.rows.map((row) => row.value);
}

/** One meter's records in [start, end) of a subscription. */
export interface MeterWindow {
  meterKey: string;
  start: Date;
  end: Date;
}

// The aggregations `aggregateColumns` computes only when asked: one document's few records, all of them.
const ALL_AGGREGATIONS: ReadonlySet<Aggregation> = new Set(['unique_count', 'latest']);

/**
 * Every aggregation of the records that invoices bill (`invoice_id` set) in each meter window of one
 * subscription (of `customerKey`: the index on meter, customer and time finds them), in the order given:
 * what finalized documents, taken together, bill for the window.
 */
export async function aggregateInvoiced(
  db: Queryable,
  owner: { subscriptionKey: string; customerKey: string },
  windows: readonly MeterWindow[],
): Promise<MeterAggregate[]> {
  if (windows.length === 0) return [];
  const result = await db.query<Omit<AggregateRow, 'dimensions' | 'total'> & { ordinal: string }>(
    `select w.ordinal::text, $1::text as subscription_key, w.ps as period_start, w.meter as meter_key, ${aggregateColumns(ALL_AGGREGATIONS)}
       from unnest($3::text[], $4::timestamptz[], $5::timestamptz[]) with ordinality as w(meter, ps, pe, ordinal)
       left join usage_records u on u.meter_key = w.meter and u.customer_key = $2 and u.event_time >= w.ps and u.event_time < w.pe
                                and u.subscription_key = $1 and u.invoice_id is not null
      group by w.ordinal, w.ps, w.meter
      order by w.ordinal`,
    [
      owner.subscriptionKey,
      owner.customerKey,
      windows.map((w) => w.meterKey),
      windows.map((w) => w.start),
      windows.map((w) => w.end),
    ],
  );
  return result.rows.map((row) => fromAggregateRow({ ...row, dimensions: null, total: 1 }));
}

/** The document that bills records, and whose subscription (and customer, for the index) they belong to. */
export interface BillingDocument {
  id: string;
  subscriptionKey: string;
  customerKey: string;
}

/** Marks every record of these windows not yet on an invoice as billed by the document (in its transaction). */
export async function markUsageBilled(
  tx: Queryable,
  document: BillingDocument,
  windows: readonly MeterWindow[],
): Promise<void> {
  if (windows.length === 0) return;
  await tx.query(
    `update usage_records u set invoice_id = $1
       from unnest($4::text[], $5::timestamptz[], $6::timestamptz[]) as w(meter, ps, pe)
      where u.meter_key = w.meter and u.customer_key = $3 and u.event_time >= w.ps and u.event_time < w.pe
        and u.subscription_key = $2 and u.invoice_id is null`,
    [
      document.id,
      document.subscriptionKey,
      document.customerKey,
      windows.map((w) => w.meterKey),
      windows.map((w) => w.start),
      windows.map((w) => w.end),
    ],
  );
}

/**
 * Gives the records a voided invoice billed back to no invoice, for the invoice issued in its place. The
 * table's trigger allows it only while that invoice is void.
 */
export async function releaseBilledUsage(tx: Queryable, invoiceId: string): Promise<void> {
  await tx.query(`update usage_records set invoice_id = null where invoice_id = $1`, [invoiceId]);
}

/** A meter with records on no invoice in the window at `index` of the windows asked about. */
export interface UnbilledMeter {
  index: number;
  meterKey: string;
}

/**
 * The meters with records on no invoice in each window, in window order then meter: usage that arrived
 * after the invoice of its period was finalized.
 */
export async function metersWithUnbilledUsage(
  db: Queryable,
  windows: readonly SubscriptionWindow[],
): Promise<UnbilledMeter[]> {
  if (windows.length === 0) return [];
  const result = await db.query<{ ordinal: string; meter_key: string }>(
    `select distinct w.ordinal::text, u.meter_key
       from unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) with ordinality as w(sub, ps, pe, ordinal)
       join usage_records u on u.subscription_key = w.sub and u.event_time >= w.ps and u.event_time < w.pe
      where u.invoice_id is null
      order by 1, 2`,
    [windows.map((w) => w.subscriptionKey), windows.map((w) => w.start), windows.map((w) => w.end)],
  );
  return result.rows.map((row) => ({ index: Number(row.ordinal) - 1, meterKey: row.meter_key }));
}

/** One usage record behind an invoice line: its event's position in the log, its value and dimensions. */
export interface LineRecord {
  eventSeq: string;
  value: string | null;
  dimensions: Record<string, unknown>;
}

/** Which records of a meter window a line stands for, and where a page starts. */
export interface LineRecordsQuery {
  subscriptionKey: string;
  meterKey: string;
  start: Date;
  end: Date;
  /** The document whose marked records these are; null for a draft's records, which no invoice bills yet. */
  billedBy: string | null;
  afterSeq: string;
  limit: number;
}

interface LineRecordRow {
  event_seq: string;
  value: string | null;
  dimensions: Record<string, unknown>;
}

/** A page of the records behind a line, in log order. */
export async function findLineRecords(db: Queryable, query: LineRecordsQuery): Promise<LineRecord[]> {
  // Ordered by the column, not the select list's text of it (which shares its name and would sort as text).
  const result = await db.query<LineRecordRow>(
    `select event_seq::text, value::text as value, dimensions from usage_records
      where subscription_key = $1 and meter_key = $2 and event_time >= $3 and event_time < $4
        and invoice_id is not distinct from $5::text and event_seq > $6::bigint
      order by usage_records.event_seq limit $7`,
    [query.subscriptionKey, query.meterKey, query.start, query.end, query.billedBy, query.afterSeq, query.limit],
  );
  return result.rows.map((row) => ({ eventSeq: row.event_seq, value: row.value, dimensions: row.dimensions }));
}
