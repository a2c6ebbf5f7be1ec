// Instants and windows of a usage query, in JavaScript: only to validate a query and to count its
// windows before any SQL runs. The windows themselves are cut in SQL (usage-query-sql.ts).
// Instants are integer microseconds since the epoch, PostgreSQL's own precision; they stay below
// 2^53 for every year 0001-9999, so plain numbers hold them exactly.

export const USAGE_WINDOWS = ['minute', 'hour', 'day', 'month'] as const;
export type UsageWindow = (typeof USAGE_WINDOWS)[number];

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const MIN_INSTANT = Date.parse('0001-01-01T00:00:00Z') * 1000;
const MAX_INSTANT = Date.parse('9999-12-31T23:59:59.999Z') * 1000 + 999;
const MINUTE = 60_000_000;
const HOUR = 60 * MINUTE;

/** Milliseconds of a UTC calendar time; `Date.UTC` would read years 0-99 as 1900-1999. */
function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMillis(year, month + 1, 1) - 1).getUTCDate();
}

/**
 * An RFC 3339 date-time with its zone (`Z` or `±hh:mm`) as microseconds since the epoch, or a reason
 * it is not one. Digits past the microsecond are dropped, as PostgreSQL would round them away anyway.
 */
export function parseInstant(text: string): { ok: true; micros: number } | { ok: false; message: string } {
  const match = RFC_3339.exec(text);
  if (!match) return { ok: false, message: 'must be an RFC 3339 date-time with a zone, such as 2026-10-01T00:00:00Z' };
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = (match[7] ?? '').padEnd(6, '0').slice(0, 6);
  const offsetSign = match[9] === '-' ? -1 : 1;
  const offsetHours = Number(match[10] ?? 0);
  const offsetMinutes = Number(match[11] ?? 0);
  const valid =
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!valid)
    return { ok: false, message: 'is not a valid date-time (a field is out of range; leap seconds are not accepted)' };
  const offset = offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000;
  const micros = (utcMillis(year, month, day, hour, minute, second) - offset) * 1000 + Number(fraction);
  if (micros < MIN_INSTANT || micros > MAX_INSTANT)
    return { ok: false, message: 'must lie within the years 0001 to 9999 (UTC)' };
  return { ok: true, micros };
}

/** ISO 8601 in UTC: milliseconds like `Date#toISOString`, microseconds only when there are some. */
export function formatInstant(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const rest = micros - millis * 1000;
  const iso = new Date(millis).toISOString();
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  /** The wall clock as if it were UTC, in microseconds: comparing it with the instant gives the zone's offset. */
  micros: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `timeZone` at an instant (tz database rules, as PostgreSQL applies them). */
function wallTime(micros: number, timeZone: string): WallTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const millis = Math.floor(micros / 1000);
  const parts = Object.fromEntries(format.formatToParts(new Date(millis)).map((part) => [part.type, part.value]));
  const [year, month, day] = [Number(parts.year), Number(parts.month), Number(parts.day)];
  const wholeSeconds = utcMillis(year, month, day, Number(parts.hour), Number(parts.minute), Number(parts.second));
  return { year, month, day, micros: wholeSeconds * 1000 + (micros - Math.floor(millis / 1000) * 1_000_000) };
}

/**
 * How many windows [from, to) is cut into: the number of (clipped) windows the query answers, so a
 * query can be refused before it asks the database for millions of rows. Minute and hour windows
 * follow the zone's offset at `from` (as `date_trunc` does); days and months its calendar.
 */
export function countWindows(from: number, to: number, window: UsageWindow | null, timeZone: string): number {
  if (window === null) return 1;
  if (window === 'minute' || window === 'hour') {
    const step = window === 'minute' ? MINUTE : HOUR;
    const offset = wallTime(from, timeZone).micros - from;
    const local = from + offset;
    const start = local - (((local % step) + step) % step) - offset;
    return Math.ceil((to - start) / step);
  }
  const first = wallTime(from, timeZone);
  const last = wallTime(to, timeZone);
  const lastStartsWindow = last.micros - utcMillis(last.year, last.month, window === 'day' ? last.day : 1) * 1000 === 0;
  const spanned =
    window === 'day'
      ? Math.round(
          (utcMillis(last.year, last.month, last.day) - utcMillis(first.year, first.month, first.day)) / 86_400_000,
        )
      : (last.year - first.year) * 12 + (last.month - first.month);
  return spanned + (lastStartsWindow ? 0 : 1);
}

let knownZones: Set<string> | undefined;

/** IANA zone names as this runtime's Intl knows them, plus `UTC`. */
export function isKnownTimeZone(name: string): boolean {
  knownZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return knownZones.has(name);
}
