import formats from 'ajv-formats/dist/formats.js';
import type { FieldError } from './errors.js';

const dateTime = (formats.fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;
export const DATE_TIME_MESSAGE = 'must be an RFC 3339 date-time with a time zone, such as "2026-10-01T00:00:00Z"';

/** RFC 3339 date-time with a zone (what ajv-formats' full `date-time` checks: real dates, real times). */
export function isRfc3339DateTime(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && dateTime(value);
}

export interface TimeRange {
  from: Date;
  to: Date;
}

/**
 * Reads a half-open range [from, to) of RFC 3339 times, reporting every problem at `pathOf(name)`:
 * each time missing or malformed, or `from` not before `to`.
 */
export function readTimeRange(from: unknown, to: unknown, pathOf: (name: 'from' | 'to') => string): { range?: TimeRange; errors: FieldError[] } {
  const errors: FieldError[] = [];
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value === undefined || value === null || value === '') errors.push({ path: pathOf(name), message: `is required and ${DATE_TIME_MESSAGE}` });
    else if (!isRfc3339DateTime(value)) errors.push({ path: pathOf(name), message: DATE_TIME_MESSAGE });
  }
  if (errors.length > 0) return { errors };
  const range = { from: new Date(from as string), to: new Date(to as string) };
  if (range.from.getTime() >= range.to.getTime()) return { errors: [{ path: pathOf('to'), message: 'must be later than from (the range is [from, to))' }] };
  return { range, errors };
}
