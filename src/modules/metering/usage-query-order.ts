// The order of usage rows: by window, then by group values. Sorted here rather than in SQL because
// PostgreSQL orders text (and text inside jsonb) by the database's collation, which differs between
// PGlite and a server; this order is the same on both.

interface OrderedRow {
  windowStart: string;
  groups: Record<string, unknown>;
}

// null first, then booleans, numbers, strings, and anything else (arrays, objects) by its JSON text.
function rank(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 2;
  if (typeof value === 'string') return 3;
  return 4;
}

/** Compares two group values: by kind, then naturally (strings by UTF-16 code units, as a C collation would for ASCII). */
function compareGroupValues(a: unknown, b: unknown): number {
  const kinds = rank(a) - rank(b);
  if (kinds !== 0) return kinds;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [left, right] =
    typeof a === 'string' && typeof b === 'string' ? [a, b] : [JSON.stringify(a) ?? '', JSON.stringify(b) ?? ''];
  return left < right ? -1 : left > right ? 1 : 0;
}

export function compareUsageRows(a: OrderedRow, b: OrderedRow, groupNames: readonly string[]): number {
  // Both are ISO 8601 in UTC with four-digit years, so text order is time order.
  if (a.windowStart !== b.windowStart) return a.windowStart < b.windowStart ? -1 : 1;
  for (const name of groupNames) {
    const order = compareGroupValues(a.groups[name], b.groups[name]);
    if (order !== 0) return order;
  }
  return 0;
}
