import type { Queryable } from '../../platform/database/database.js';

// What the silent-meter alert reads of the raw event log: how many events of each type arrived in each
// window (by `received_at`, the time Meterbridge accepted them).

/** Raw events per type and window [start, end): `counts[type][window]`. */
export async function countRawEventsByTypeInWindows(
  db: Queryable,
  types: readonly string[],
  windows: readonly { start: Date; end: Date }[],
): Promise<Map<string, number[]>> {
  const counts = new Map(types.map((type) => [type, windows.map(() => 0)]));
  if (types.length === 0 || windows.length === 0) return counts;
  const earliest = new Date(Math.min(...windows.map((w) => w.start.getTime())));
  const result = await db.query<{ i: string; type: string; n: string }>(
    `select w.i::text as i, r.type, count(*)::text as n
       from raw_events r
       join unnest($2::timestamptz[], $3::timestamptz[]) with ordinality as w(s, e, i)
         on r.received_at >= w.s and r.received_at < w.e
      where r.type = any($1::text[]) and r.received_at >= $4
      group by 1, 2`,
    [types, windows.map((w) => w.start), windows.map((w) => w.end), earliest],
  );
  for (const row of result.rows) {
    const list = counts.get(row.type);
    if (list) list[Number(row.i) - 1] = Number(row.n);
  }
  return counts;
}
