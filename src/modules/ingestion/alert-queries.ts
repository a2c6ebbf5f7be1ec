import type { Queryable } from '../../platform/database/database.js';
import { countsPerWindow, windowParameters } from '../../platform/window-counts.js';

// What the silent-meter alert reads of the raw event log: how many events of each type arrived in each
// window (by `received_at`, the time Meterbridge accepted them).

/** Raw events per type and window [start, end): `counts[type][window]`. */
export async function countRawEventsByTypeInWindows(
  db: Queryable,
  types: readonly string[],
  windows: readonly { start: Date; end: Date }[],
): Promise<Map<string, number[]>> {
  if (types.length === 0 || windows.length === 0) return countsPerWindow(types, windows, []);
  const { starts, ends, earliest } = windowParameters(windows);
  const result = await db.query<{ ordinal: string; key: string; count: string }>(
    `select w.i::text as ordinal, r.type as key, count(*)::text as count
       from raw_events r
       join unnest($2::timestamptz[], $3::timestamptz[]) with ordinality as w(s, e, i)
         on r.received_at >= w.s and r.received_at < w.e
      where r.type = any($1::text[]) and r.received_at >= $4
      group by 1, 2`,
    [types, starts, ends, earliest],
  );
  return countsPerWindow(types, windows, result.rows);
}
