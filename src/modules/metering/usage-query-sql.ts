// The one statement a usage query runs. Windows are cut and values aggregated in PostgreSQL, on
// `numeric`, so every value is exact; the statement only uses functions PGlite and PostgreSQL 15
// share (date_trunc with a zone is PostgreSQL 12+), and never depends on the session's TimeZone.
import type { Aggregation, Meter } from '../catalog/index.js';
import type { UsageQuery } from './usage-query-types.js';
import type { UsageWindow } from './usage-window.js';

export interface UsageStatement {
  sql: string;
  params: unknown[];
  /** The result columns `g0`, `g1`, ... hold the groups in this order, as JSON text. */
  groupNames: string[];
}

// Interpolated into SQL: closed sets chosen by the code, never text from the request.
const STEP: Record<UsageWindow, string> = {
  minute: "interval '1 minute'",
  hour: "interval '1 hour'",
  day: "interval '1 day'",
  month: "interval '1 month'",
};

const ATTRIBUTION_COLUMN: Readonly<Record<string, string>> = {
  customer: 'customer_key',
  subscription: 'subscription_key',
  legal_entity: 'legal_entity',
  currency: 'currency',
};

const AGGREGATE: Record<Aggregation, string> = {
  sum: 'sum(value)',
  min: 'min(value)',
  max: 'max(value)',
  avg: 'avg(value)',
  count: 'count(*)',
  unique_count: 'count(distinct distinct_key)',
  // By event time, not arrival; the later event (greater seq) breaks a tie.
  latest: '(array_agg(value order by event_time desc, event_seq desc))[1]',
};

/** Aggregations that answer 0 for a window without records; the others answer no row. */
function countsEmptyWindows(aggregation: Aggregation): boolean {
  return aggregation === 'count' || aggregation === 'unique_count';
}

const FROM = '$2::timestamptz';
const TO = '$3::timestamptz';

/**
 * The windows as (ws, we), clipped to [from, to). Minute and hour windows step in absolute time from
 * the zone's boundary before `from`; day and month windows step on the zone's calendar (so a day is
 * 23 or 25 hours on a DST change) and each start is normalized by the same `date_trunc` that buckets
 * the records, so the two always meet on equality.
 */
function windowsSql(window: UsageWindow | null, tz: string): string {
  if (window === null) return `select ${FROM} as ws, ${TO} as we`;
  const step = STEP[window];
  if (window === 'minute' || window === 'hour') {
    return `select greatest(s, ${FROM}) as ws, least(s + ${step}, ${TO}) as we
      from generate_series(date_trunc('${window}', ${FROM}, ${tz}), ${TO}, ${step}) as s
      where s < ${TO}`;
  }
  const start = (local: string) => `date_trunc('${window}', (${local}) at time zone ${tz}, ${tz})`;
  return `select greatest(${start('l')}, ${FROM}) as ws, least(${start(`l + ${step}`)}, ${TO}) as we
    from generate_series(date_trunc('${window}', ${FROM} at time zone ${tz}), ${TO} at time zone ${tz}, ${step}) as l
    where ${start('l')} < ${TO}`;
}

function bucketSql(window: UsageWindow | null, tz: string): string {
  return window === null ? FROM : `greatest(date_trunc('${window}', event_time, ${tz}), ${FROM})`;
}

export function usageStatement(meter: Meter, query: UsageQuery): UsageStatement {
  const params: unknown[] = [meter.key, query.from, query.to];
  const parameter = (value: unknown) => `$${params.push(value)}`;
  // Only a windowed query reads the zone; PostgreSQL refuses a parameter no statement uses.
  const tz = query.window === null ? '' : `${parameter(query.tz)}::text`;
  const groupSql = query.groupBy.map((name) => {
    const column = Object.hasOwn(ATTRIBUTION_COLUMN, name) ? ATTRIBUTION_COLUMN[name] : undefined;
    // A dimension the event lacked and a JSON null are one group: both read as null.
    return column
      ? `to_jsonb(${column})::text`
      : `coalesce(dimensions -> ${parameter(name)}::text, 'null'::jsonb)::text`;
  });
  const groups = groupSql.map((_, index) => `g${index}`);
  const conditions = ['meter_key = $1', `event_time >= ${FROM}`, `event_time < ${TO}`];
  if (query.customer !== null) conditions.push(`customer_key = ${parameter(query.customer)}`);
  if (!countsEmptyWindows(meter.aggregation)) conditions.push('value is not null');

  const ctes = `with windows as (${windowsSql(query.window, tz)}),
    rec as (
      select ${[`${bucketSql(query.window, tz)} as ws`, ...groupSql.map((sql, index) => `${sql} as g${index}`), 'value', 'distinct_key', 'event_time', 'event_seq'].join(', ')}
      from usage_records where ${conditions.join(' and ')}
    ),
    agg as (select ${['ws', ...groups, `${AGGREGATE[meter.aggregation]} as v`].join(', ')} from rec group by ${['ws', ...groups].join(', ')})`;
  const utc = (column: string, alias = column) =>
    `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') as ${alias}`;

  if (!countsEmptyWindows(meter.aggregation)) {
    return {
      sql: `${ctes}
        select ${[utc('ws'), utc('we'), ...groups.map((g) => `a.${g}`), 'a.v::text as value'].join(', ')}
        from agg a join windows w using (ws)`,
      params,
      groupNames: query.groupBy,
    };
  }
  // Every window answers: each group seen anywhere in the range gets a 0 where it has no records,
  // and a range without any record still answers one row per window (its groups null).
  const keys =
    groups.length === 0
      ? 'select 1 as none'
      : `select distinct ${groups.join(', ')} from rec
         union all select ${groups.map((g) => `'null' as ${g}`).join(', ')} where not exists (select 1 from rec)`;
  return {
    sql: `${ctes}, keys as (${keys})
      select ${[utc('w.ws', 'ws'), utc('w.we', 'we'), ...groups.map((g) => `k.${g}`), 'coalesce(a.v, 0)::text as value'].join(', ')}
      from windows w cross join keys k
      left join agg a on ${['a.ws = w.ws', ...groups.map((g) => `a.${g} = k.${g}`)].join(' and ')}`,
    params,
    groupNames: query.groupBy,
  };
}
