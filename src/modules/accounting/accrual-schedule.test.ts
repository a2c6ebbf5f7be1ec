import { describe, expect, it } from 'vitest';
import { periodsToAccrue } from './accrual-schedule.js';

const schedule = { delayMinutes: 60, graceHours: 72 };

describe('periodsToAccrue', () => {
  it('names no period before the delay after its end has passed', () => {
    expect(periodsToAccrue(new Date('2026-10-31T23:59:59Z'), schedule).due).toEqual([]);
    expect(periodsToAccrue(new Date('2026-11-01T00:59:59.999Z'), schedule).due).toEqual([]);
  });

  it('names the period from the delay after its end until the grace period has run out', () => {
    expect(periodsToAccrue(new Date('2026-11-01T01:00:00Z'), schedule).due).toEqual(['2026-10']);
    expect(periodsToAccrue(new Date('2026-11-03T23:59:59Z'), schedule).due).toEqual(['2026-10']);
    expect(periodsToAccrue(new Date('2026-11-04T00:00:00Z'), schedule)).toEqual({ due: [], closed: '2026-10' });
  });

  it('crosses a year end', () => {
    expect(periodsToAccrue(new Date('2027-01-01T02:00:00Z'), schedule)).toEqual({
      due: ['2026-12'],
      closed: '2026-11',
    });
  });

  it('names every month still within a grace period longer than a month, oldest first', () => {
    const long = { delayMinutes: 0, graceHours: 24 * 40 };
    expect(periodsToAccrue(new Date('2026-12-05T00:00:00Z'), long)).toEqual({
      due: ['2026-10', '2026-11'],
      closed: '2026-09',
    });
  });
});
