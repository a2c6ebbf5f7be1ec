// Counting rows per key and time window in one query, as the alert rules do: the windows are unnested
// with their ordinal, and the answer's rows (ordinal, key, count) become a list per key with a zero for
// every window no row came back for. The SQL stays with the module that owns its table.

export interface TimeWindow {
  start: Date;
  end: Date;
}

/** `unnest($starts::timestamptz[], $ends::timestamptz[]) with ordinality`, and the earliest start to bound the scan. */
export function windowParameters(windows: readonly TimeWindow[]): { starts: Date[]; ends: Date[]; earliest: Date } {
  return {
    starts: windows.map((window) => window.start),
    ends: windows.map((window) => window.end),
    earliest: new Date(Math.min(...windows.map((window) => window.start.getTime()))),
  };
}

/** Counts per key and window (ordinal from 1, as `with ordinality` numbers them); zero where no row came. */
export function countsPerWindow(
  keys: readonly string[],
  windows: readonly TimeWindow[],
  rows: readonly { ordinal: string; key: string; count: string }[],
): Map<string, number[]> {
  const counts = new Map(keys.map((key) => [key, windows.map(() => 0)]));
  for (const row of rows) {
    const list = counts.get(row.key);
    if (list) list[Number(row.ordinal) - 1] = Number(row.count);
  }
  return counts;
}
