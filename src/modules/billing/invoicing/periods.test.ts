import { describe, expect, it } from 'vitest';
import type { Subscription } from '../../catalog/index.js';
import { calendarMonth, periodsStartingIn } from './periods.js';

const sub = (fields: Partial<Subscription>): Subscription => ({
  key: 's',
  customer: 'c',
  plan: 'p',
  start: '2026-01-01T00:00:00Z',
  billingPeriod: 'month',
  ...fields,
});
const october = calendarMonth('2026-10') as { start: Date; end: Date };
const iso = (periods: ReturnType<typeof periodsStartingIn>) =>
  periods.map(({ period, covered }) => [
    period.start.toISOString(),
    period.end.toISOString(),
    covered.start.toISOString(),
    covered.end.toISOString(),
  ]);

describe('periodsStartingIn', () => {
  it('steps monthly from the start, the whole period covered', () => {
    expect(iso(periodsStartingIn(sub({}), october.start, october.end))).toEqual([
      ['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
    ]);
  });

  it('keeps the start day, clamped to short months (Jan 31 → Feb 28 → Mar 31)', () => {
    const s = sub({ start: '2026-01-31T12:00:00Z' });
    const february = calendarMonth('2026-02') as { start: Date; end: Date };
    expect(iso(periodsStartingIn(s, february.start, february.end))[0]?.slice(0, 2)).toEqual([
      '2026-02-28T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
    ]);
  });

  it('with an anchor day, runs a partial first period from the start to the first anchor', () => {
    const s = sub({ start: '2026-10-10T00:00:00Z', anchorDay: 1 });
    expect(iso(periodsStartingIn(s, october.start, october.end))).toEqual([
      ['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-10-10T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
    ]);
  });

  it('with an anchor day later in the start month, bills the days before it as a partial period', () => {
    const s = sub({ start: '2026-10-10T00:00:00Z', anchorDay: 15 });
    expect(iso(periodsStartingIn(s, october.start, october.end))).toEqual([
      ['2026-09-15T00:00:00.000Z', '2026-10-15T00:00:00.000Z', '2026-10-10T00:00:00.000Z', '2026-10-15T00:00:00.000Z'],
      ['2026-10-15T00:00:00.000Z', '2026-11-15T00:00:00.000Z', '2026-10-15T00:00:00.000Z', '2026-11-15T00:00:00.000Z'],
    ]);
  });

  it('cuts the last period at the end, and bills nothing after it', () => {
    const s = sub({ end: '2026-10-16T00:00:00Z' });
    expect(iso(periodsStartingIn(s, october.start, october.end))[0]?.slice(2)).toEqual([
      '2026-10-01T00:00:00.000Z',
      '2026-10-16T00:00:00.000Z',
    ]);
    const november = calendarMonth('2026-11') as { start: Date; end: Date };
    expect(periodsStartingIn(s, november.start, november.end)).toEqual([]);
  });

  it('bills a quarterly subscription only in the months its periods start', () => {
    const s = sub({ start: '2026-02-15T00:00:00+01:00', billingPeriod: 'quarter' });
    const november = calendarMonth('2026-11') as { start: Date; end: Date };
    expect(periodsStartingIn(s, october.start, october.end)).toEqual([]);
    expect(iso(periodsStartingIn(s, november.start, november.end))[0]?.slice(0, 2)).toEqual([
      '2026-11-14T23:00:00.000Z',
      '2027-02-14T23:00:00.000Z',
    ]);
  });

  it('finds every period, month after month for years, whatever the start day, anchor and length (none skipped, none twice)', () => {
    const starts = [
      '2019-01-31T10:00:00Z',
      '2019-02-28T00:00:00Z',
      '2020-02-29T23:59:59Z',
      '2019-12-15T00:00:00+01:00',
      '2019-03-01T00:00:00Z',
    ];
    for (const start of starts) {
      for (const billingPeriod of ['month', 'quarter', 'year'] as const) {
        for (const anchorDay of [undefined, 1, 28]) {
          const s = sub({ start, billingPeriod, anchorDay });
          const found = [];
          for (let month = 0; month < 12 * 8; month += 1) {
            const from = new Date(Date.UTC(2019, month, 1));
            found.push(...periodsStartingIn(s, from, new Date(Date.UTC(2019, month + 1, 1))));
          }
          const label = `${start} ${billingPeriod} ${anchorDay ?? '-'}`;
          expect(found[0]?.covered.start.toISOString(), label).toBe(new Date(start).toISOString());
          for (let i = 1; i < found.length; i += 1)
            expect(found[i]?.covered.start.getTime(), label).toBe(found[i - 1]?.covered.end.getTime());
          expect(found.length, label).toBeGreaterThanOrEqual(
            Math.floor((12 * 8 - 14) / { month: 1, quarter: 3, year: 12 }[billingPeriod]),
          );
        }
      }
    }
  });

  it('reads calendar months and refuses anything else', () => {
    expect(calendarMonth('2026-12')?.end.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    for (const bad of ['2026-13', '2026-1', '26-01', '2026-01-01', '']) expect(calendarMonth(bad)).toBeUndefined();
  });
});
