import { describe, expect, it } from 'vitest';
import { ValidationError, type FieldError } from '../../platform/errors.js';
import { parseUsageQuery } from './usage-query.js';
import { testMeter } from '../../../test/fixtures/usage-records.js';

const METERS = [testMeter('api_calls', 'count', ['region', 'plan.tier']), testMeter('storage_gb', 'max')];
const VALID = { meter: 'api_calls', from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };

function errorsOf(params: Record<string, string | undefined>, limits?: { maxWindows: number }): FieldError[] {
  try {
    parseUsageQuery(params, METERS, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('the usage query is invalid');
    return (error as ValidationError).errors;
  }
  throw new Error('expected the query to be refused');
}

describe('parseUsageQuery', () => {
  it('reads a full query, normalizing instants to UTC', () => {
    const { meter, query } = parseUsageQuery(
      {
        ...VALID,
        from: '2026-10-01T02:00:00+02:00',
        to: '2026-10-02T00:00:00.5Z',
        customer: 'acme',
        window: 'day',
        tz: 'Europe/Berlin',
        group_by: 'region,customer,plan.tier',
      },
      METERS,
    );
    expect(meter.key).toBe('api_calls');
    expect(query).toEqual({
      customer: 'acme',
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-10-02T00:00:00.500Z',
      window: 'day',
      tz: 'Europe/Berlin',
      groupBy: ['region', 'customer', 'plan.tier'],
    });
  });

  it('defaults to one window in UTC without groups, and keeps microseconds', () => {
    const { query } = parseUsageQuery({ ...VALID, from: '2026-10-01t00:00:00.123456789z' }, METERS);
    expect(query).toEqual({
      customer: null,
      from: '2026-10-01T00:00:00.123456Z',
      to: '2026-11-01T00:00:00.000Z',
      window: null,
      tz: 'UTC',
      groupBy: [],
    });
  });

  it('lists every missing required parameter', () => {
    expect(errorsOf({})).toEqual([
      { path: '/query/meter', message: 'is required' },
      { path: '/query/from', message: 'is required' },
      { path: '/query/to', message: 'is required' },
    ]);
  });

  it('lists every bad parameter at once', () => {
    expect(
      errorsOf({
        meter: 'nope',
        from: 'yesterday',
        to: '2026-02-30T00:00:00Z',
        window: 'week',
        tz: 'Mars/Olympus',
        group_by: 'customer,customer',
        customer: '',
      }),
    ).toEqual([
      {
        path: '/query/meter',
        message: 'the current catalog has no meter "nope"; its meters are api_calls, storage_gb',
      },
      { path: '/query/customer', message: 'must not be empty' },
      { path: '/query/from', message: 'must be an RFC 3339 date-time with a zone, such as 2026-10-01T00:00:00Z' },
      {
        path: '/query/to',
        message: 'is not a valid date-time (a field is out of range; leap seconds are not accepted)',
      },
      {
        path: '/query/window',
        message: 'must be one of minute, hour, day, month (or absent for one window over [from, to))',
      },
      { path: '/query/tz', message: '"Mars/Olympus" is not an IANA time zone name (such as Europe/Berlin) or UTC' },
      { path: '/query/group_by', message: 'names "customer" more than once' },
    ]);
  });

  it.each([
    ['2026-10-01', 'a date without a time'],
    ['2026-10-01T00:00:00', 'no zone'],
    ['2026-10-01 00:00:00Z', 'a space for T'],
    ['2026-13-01T00:00:00Z', 'month 13'],
    ['2026-10-01T24:00:00Z', 'hour 24'],
    ['2026-12-31T23:59:60Z', 'a leap second'],
    ['0000-01-01T00:00:00Z', 'year 0'],
    ['0001-01-01T00:00:00+01:00', 'before year 1 in UTC'],
    ['1e3', 'a number'],
  ])('refuses from=%s (%s)', (from) => {
    expect(errorsOf({ ...VALID, from }).map((error) => error.path)).toEqual(['/query/from']);
  });

  it('accepts 29 February in a leap year only', () => {
    expect(
      parseUsageQuery({ ...VALID, from: '2028-02-29T00:00:00Z', to: '2028-03-01T00:00:00Z' }, METERS).query.from,
    ).toBe('2028-02-29T00:00:00.000Z');
    expect(errorsOf({ ...VALID, from: '2027-02-29T00:00:00Z' }).map((error) => error.path)).toEqual(['/query/from']);
  });

  it('needs from before to, comparing instants rather than text', () => {
    const message = 'must be later than from: the range is [from, to)';
    expect(errorsOf({ ...VALID, to: VALID.from })).toEqual([{ path: '/query/to', message }]);
    expect(errorsOf({ ...VALID, from: '2026-10-01T01:00:00+01:00', to: '2026-10-01T00:00:00Z' })).toEqual([
      { path: '/query/to', message },
    ]);
    expect(errorsOf({ ...VALID, from: '2026-10-02T00:00:00Z', to: '2026-10-01T00:00:00Z' })).toEqual([
      { path: '/query/to', message },
    ]);
  });

  it("allows the attribution groups and the meter's own groupBy paths only", () => {
    expect(errorsOf({ ...VALID, meter: 'storage_gb', group_by: 'region,currency,legal_entity,subscription' })).toEqual([
      {
        path: '/query/group_by',
        message:
          '"region" is not a group of meter storage_gb; its groups are customer, subscription, legal_entity, currency',
      },
    ]);
    expect(errorsOf({ ...VALID, group_by: 'region,,customer,' })).toEqual([
      { path: '/query/group_by', message: 'has an empty name (a leading, trailing or doubled comma)' },
    ]);
  });

  it('refuses more windows than the limit, saying how many were asked for', () => {
    expect(errorsOf({ ...VALID, from: '2026-01-01T00:00:00Z', to: '2028-01-01T00:00:00Z', window: 'hour' })).toEqual([
      {
        path: '/query/window',
        message:
          '[from, to) cut into hour windows is 17520 windows; at most 10000 are answered: narrow the range or use a longer window',
      },
    ]);
    expect(
      parseUsageQuery({ ...VALID, from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z', window: 'hour' }, METERS)
        .query.window,
    ).toBe('hour');
    expect(errorsOf({ ...VALID, window: 'day' }, { maxWindows: 30 })[0]?.message).toMatch(/is 31 windows; at most 30/);
  });

  it('refuses hostile values without echoing them whole or touching prototypes', () => {
    const long = 'x'.repeat(100_000);
    const errors = errorsOf({
      meter: '__proto__',
      from: long,
      to: VALID.to,
      tz: '__proto__',
      group_by: '__proto__,constructor',
      customer: 'c'.repeat(300),
      window: 'toString',
    });
    expect(errors).toEqual([
      {
        path: '/query/meter',
        message: 'the current catalog has no meter "__proto__"; its meters are api_calls, storage_gb',
      },
      { path: '/query/customer', message: 'must be at most 256 characters' },
      { path: '/query/from', message: 'must be at most 1024 characters' },
      { path: '/query/window', message: expect.stringMatching(/^must be one of/) },
      { path: '/query/tz', message: '"__proto__" is not an IANA time zone name (such as Europe/Berlin) or UTC' },
    ]);
    expect(errorsOf({ ...VALID, meter: 'x'.repeat(500) })[0]?.message).toBe(
      `the current catalog has no meter "${'x'.repeat(64)}…"; its meters are api_calls, storage_gb`,
    );
    expect(errorsOf({ ...VALID, group_by: '__proto__,constructor' })).toEqual([
      { path: '/query/group_by', message: expect.stringMatching(/^"__proto__" is not a group of meter api_calls/) },
      { path: '/query/group_by', message: expect.stringMatching(/^"constructor" is not a group of meter api_calls/) },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses parameters it does not know, naming them as a JSON Pointer', () => {
    expect(errorsOf({ ...VALID, limit: '5', 'a/b~c': '1' })).toEqual([
      {
        path: '/query/limit',
        message: 'is not a parameter of a usage query; they are meter, customer, from, to, window, tz, group_by',
      },
      {
        path: '/query/a~1b~0c',
        message: 'is not a parameter of a usage query; they are meter, customer, from, to, window, tz, group_by',
      },
    ]);
  });

  it('reads parameters from an object without a prototype (as query parsers build them)', () => {
    const params = Object.assign(Object.create(null) as Record<string, string>, VALID);
    expect(parseUsageQuery(params, METERS).meter.key).toBe('api_calls');
  });
});
