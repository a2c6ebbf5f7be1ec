import type { Queryable } from '../../platform/database/database.js';
import { countsPerWindow, windowParameters } from '../../platform/window-counts.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';

// What alert rules and service-level objectives read of usage records and exceptions. Every time is
// passed in (the caller's clock), never the database's now(); counts and durations are exact text.

/** A subscription's usage on no finalized invoice, with events before a time. */
export interface UnbilledSubscriptionUsage {
  subscriptionKey: string;
  legalEntity: string;
  records: string;
  oldestEventTime: Date;
}

/** Per subscription: its usage records not on any finalized invoice whose events happened before `before`. */
export async function findUnbilledBefore(db: Queryable, before: Date): Promise<UnbilledSubscriptionUsage[]> {
  const result = await db.query<{ subscription_key: string; legal_entity: string; records: string; oldest: Timestamp }>(
    `select subscription_key, legal_entity, count(*)::text as records, min(event_time) as oldest
       from usage_records where invoice_id is null and event_time < $1
      group by 1, 2 order by 1, 2`,
    [before],
  );
  return result.rows.map(fromRowUnbilled);
}

/** The same for chosen subscriptions, each with its own bound: records with events before it. */
export async function findUnbilledBeforeEach(
  db: Queryable,
  bounds: readonly { subscriptionKey: string; before: Date }[],
): Promise<UnbilledSubscriptionUsage[]> {
  if (bounds.length === 0) return [];
  const result = await db.query<{ subscription_key: string; legal_entity: string; records: string; oldest: Timestamp }>(
    `select u.subscription_key, u.legal_entity, count(*)::text as records, min(u.event_time) as oldest
       from unnest($1::text[], $2::timestamptz[]) as b(sub, before)
       join usage_records u on u.subscription_key = b.sub and u.event_time < b.before
      where u.invoice_id is null
      group by 1, 2 order by 1, 2`,
    [bounds.map((bound) => bound.subscriptionKey), bounds.map((bound) => bound.before)],
  );
  return result.rows.map(fromRowUnbilled);
}

const fromRowUnbilled = (row: {
  subscription_key: string;
  legal_entity: string;
  records: string;
  oldest: Timestamp;
}): UnbilledSubscriptionUsage => ({
  subscriptionKey: row.subscription_key,
  legalEntity: row.legal_entity,
  records: row.records,
  oldestEventTime: new Date(row.oldest),
});

/**
 * How many exceptions were open at each instant: opened by then and not closed by then. A closed
 * exception's `updated_at` is when it closed (nothing changes it afterwards), so the history needs no samples.
 */
export async function countOpenExceptionsAt(db: Queryable, instants: readonly Date[]): Promise<string[]> {
  const result = await db.query<{ i: string; open: string }>(
    `select w.i::text as i,
            (select count(*) from metering_exceptions e
              where e.created_at <= w.t and (e.status = 'open' or e.updated_at > w.t))::text as open
       from unnest($1::timestamptz[]) with ordinality as w(t, i) order by w.i`,
    [instants],
  );
  return result.rows.map((row) => row.open);
}

/** A window [start, end) of arrival times. */
export interface ArrivalWindow {
  start: Date;
  end: Date;
}

/** Usage records per meter and window, by the arrival time of their events: `counts[meter][window]`. */
export async function countUsageByMeterInWindows(
  db: Queryable,
  meterKeys: readonly string[],
  windows: readonly ArrivalWindow[],
): Promise<Map<string, number[]>> {
  if (meterKeys.length === 0 || windows.length === 0) return countsPerWindow(meterKeys, windows, []);
  const { starts, ends, earliest } = windowParameters(windows);
  const result = await db.query<{ ordinal: string; key: string; count: string }>(
    `select w.i::text as ordinal, u.meter_key as key, count(*)::text as count
       from usage_records u
       join unnest($2::timestamptz[], $3::timestamptz[]) with ordinality as w(s, e, i)
         on u.received_at >= w.s and u.received_at < w.e
      where u.meter_key = any($1::text[]) and u.received_at >= $4
      group by 1, 2`,
    [meterKeys, starts, ends, earliest],
  );
  return countsPerWindow(meterKeys, windows, result.rows);
}

/** How many of a window's items met a bound, how many missed it, and the observed quantile. */
export interface Attainment {
  met: string;
  missed: string;
  /** Items whose outcome is not known yet (an exception still open but younger than the bound). */
  pending: string;
  /** The quantile of the measured durations at the objective's target share, in seconds; null without items. */
  quantileSeconds: string | null;
}

/** Acceptance → usage latency of the records whose events arrived in [from, to): within `seconds` or not. */
export async function usageLatencyAttainment(
  db: Queryable,
  window: ArrivalWindow,
  seconds: number,
  share: string,
): Promise<Attainment> {
  const result = await db.query<{ met: string; missed: string; q: string | null }>(
    `select count(*) filter (where d <= $3)::text as met, count(*) filter (where d > $3)::text as missed,
            (percentile_disc($4::float8) within group (order by d))::text as q
       from (select extract(epoch from (derived_at - received_at))::numeric as d
               from usage_records where received_at >= $1 and received_at < $2) as latencies`,
    [window.start, window.end, seconds, share],
  );
  const row = result.rows[0];
  return { met: row?.met ?? '0', missed: row?.missed ?? '0', pending: '0', quantileSeconds: row?.q ?? null };
}

/**
 * Exceptions opened in [from, to): closed (resolved or ignored) within `hours`, or not; an open one older
 * than `hours` at `now` has missed already, a younger one is pending.
 */
export async function exceptionResolutionAttainment(
  db: Queryable,
  window: ArrivalWindow,
  hours: number,
  share: string,
  now: Date,
): Promise<Attainment> {
  const result = await db.query<{ met: string; missed: string; pending: string; q: string | null }>(
    `select count(*) filter (where closed and age <= $3 * 3600)::text as met,
            count(*) filter (where age > $3 * 3600)::text as missed,
            count(*) filter (where not closed and age <= $3 * 3600)::text as pending,
            (percentile_disc($5::float8) within group (order by age) filter (where closed or age > $3 * 3600))::text as q
       from (select status <> 'open' as closed,
                    extract(epoch from ((case when status = 'open' then $4::timestamptz else updated_at end) - created_at))::numeric as age
               from metering_exceptions where created_at >= $1 and created_at < $2) as exceptions`,
    [window.start, window.end, hours, now, share],
  );
  const row = result.rows[0];
  return {
    met: row?.met ?? '0',
    missed: row?.missed ?? '0',
    pending: row?.pending ?? '0',
    quantileSeconds: row?.q ?? null,
  };
}
