import { DeliveryFailure } from '../connector.js';

// The dates a listing is asked for, checked before they are written into a `$filter`: only real
// calendar dates in YYYY-MM-DD reach a query (as OData date literals, unquoted), so nothing else can.

export interface DateRange {
  from: string;
  to: string;
}

function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  // A date that does not exist (2026-02-30) comes back as another day, or as no time at all.
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === text;
}

export function checkedRange(range: DateRange): DateRange {
  const { from, to } = range;
  if (typeof from !== 'string' || typeof to !== 'string' || !isDate(from) || !isDate(to) || from > to)
    throw new DeliveryFailure(
      'invalid',
      `a listing's range is two YYYY-MM-DD dates, the first not after the second, not ${JSON.stringify(from)}..${JSON.stringify(to)}`,
    );
  return { from, to };
}
