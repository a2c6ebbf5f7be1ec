import formats from 'ajv-formats/dist/formats.js';
import type { FieldError } from './errors.js';

const dateTime = (formats.fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;
export const DATE_TIME_MESSAGE = 'must be an RFC 3339 date-time with a time zone, such as "2026-10-01T00:00:00Z"';

// The instants every part of the system holds alike. JavaScript's Date cannot place a leap second
// (":60", which RFC 3339 allows), and PGlite refuses a Date before year 1 or after 9999 that the
// PostgreSQL server would take: either way the request would fail in the database (a 500).
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/** Why an RFC 3339 date-time names no instant we can store, or undefined when it does (or is not one). */
export function unplaceableTimeProblem(value: string): string | undefined {
  const time = Date.parse(value);
  if (!Number.isFinite(time)) return 'names no instant that can be stored (a leap second, :60, has none of its own)';
  if (time < EARLIEST || time > LATEST) return 'is outside the years 0001 to 9999 (UTC) that can be stored';
  return undefined;
}

/**
 * RFC 3339 date-time with a zone (what ajv-formats' full `date-time` checks: real dates, real times),
 * naming an instant that can be stored (see unplaceableTimeProblem).
 */
export function isRfc3339DateTime(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length <= 64 && dateTime(value) && unplaceableTimeProblem(value) === undefined
  );
}

interface TimeRange {
  from: Date;
  to: Date;
}

/**
 * Reads a half-open range [from, to) of RFC 3339 times, reporting every problem at `pathOf(name)`:
 * each time missing or malformed, or `from` not before `to`.
 */
export function readTimeRange(
  from: unknown,
  to: unknown,
  pathOf: (name: 'from' | 'to') => string,
): { range?: TimeRange; errors: FieldError[] } {
  const errors: FieldError[] = [];
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value === undefined || value === null || value === '')
      errors.push({ path: pathOf(name), message: `is required and ${DATE_TIME_MESSAGE}` });
    else if (!isRfc3339DateTime(value)) errors.push({ path: pathOf(name), message: DATE_TIME_MESSAGE });
  }
  if (errors.length > 0) return { errors };
  const range = { from: new Date(from as string), to: new Date(to as string) };
  if (range.from.getTime() >= range.to.getTime())
    return { errors: [{ path: pathOf('to'), message: 'must be later than from (the range is [from, to))' }] };
  return { range, errors };
}
