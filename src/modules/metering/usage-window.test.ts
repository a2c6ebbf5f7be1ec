import { describe, expect, it } from 'vitest';
import { countWindows, formatInstant, isKnownTimeZone, parseInstant } from './usage-window.js';

const at = (text: string): number => {
  const parsed = parseInstant(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.micros;
};

describe('usage windows', () => {
  it('parses RFC 3339 with offsets to microseconds and formats them back in UTC', () => {
    expect(formatInstant(at('2026-10-01T02:00:00+02:00'))).toBe('2026-10-01T00:00:00.000Z');
    expect(formatInstant(at('2026-10-01T00:00:00.000001Z'))).toBe('2026-10-01T00:00:00.000001Z');
    expect(formatInstant(at('0050-06-01T00:00:00Z'))).toBe('0050-06-01T00:00:00.000Z');
    expect(formatInstant(at('1969-12-31T23:59:59.999999Z'))).toBe('1969-12-31T23:59:59.999999Z');
  });

  it('counts windows as the SQL cuts them: clipped, aligned to the zone', () => {
    expect(countWindows(at('2026-10-01T00:00:00Z'), at('2026-10-02T00:00:00Z'), null, 'UTC')).toBe(1);
    expect(countWindows(at('2026-10-01T10:15:00Z'), at('2026-10-01T12:30:00Z'), 'hour', 'UTC')).toBe(3);
    expect(countWindows(at('2026-10-01T10:15:00Z'), at('2026-10-01T12:00:00Z'), 'hour', 'UTC')).toBe(2);
    expect(countWindows(at('2026-02-01T04:00:00Z'), at('2026-02-01T06:00:00Z'), 'hour', 'Asia/Kolkata')).toBe(3);
    expect(countWindows(at('2026-10-01T00:00:30Z'), at('2026-10-01T00:02:00Z'), 'minute', 'UTC')).toBe(2);
    expect(countWindows(at('2026-03-27T23:00:00Z'), at('2026-03-30T22:00:00Z'), 'day', 'Europe/Berlin')).toBe(3);
    expect(countWindows(at('2026-03-27T23:00:00Z'), at('2026-03-30T22:00:01Z'), 'day', 'Europe/Berlin')).toBe(4);
    expect(countWindows(at('2026-01-15T00:00:00Z'), at('2026-03-20T00:00:00Z'), 'month', 'America/New_York')).toBe(3);
    expect(countWindows(at('2026-01-01T05:00:00Z'), at('2026-03-01T05:00:00Z'), 'month', 'America/New_York')).toBe(2);
    expect(countWindows(at('0001-01-01T00:00:00Z'), at('9999-12-31T23:59:59Z'), 'minute', 'UTC')).toBe(5_258_964_960);
  });

  it('knows IANA zones and UTC, case-sensitively', () => {
    expect(isKnownTimeZone('UTC')).toBe(true);
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('europe/berlin')).toBe(false);
    expect(isKnownTimeZone('__proto__')).toBe(false);
  });
});
