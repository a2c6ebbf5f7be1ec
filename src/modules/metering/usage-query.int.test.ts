import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import type { Aggregation } from '../catalog/index.js';
import type { Database } from '../../platform/database/database.js';
import { migrate } from '../../platform/database/migrate.js';
import { queryUsage, type UsageQuery } from './usage-query.js';
import { insertUsage, testMeter, type UsageFixture } from '../../../test/fixtures/usage-records.js';

const FROM = '2026-10-01T00:00:00.000Z';
const TO = '2026-10-02T00:00:00.000Z';

function query(overrides: Partial<UsageQuery> = {}): UsageQuery {
  return { customer: null, from: FROM, to: TO, window: null, tz: 'UTC', groupBy: [], ...overrides };
}

describeEachStore('usage query', (stores) => {
  let db: Database;
  beforeEach(async () => {
    db = await stores.fresh();
    await migrate(db);
  });

  /** The rows' values of `aggregation` over records of meter `m`. */
  async function valuesOf(
    aggregation: Aggregation,
    records: Omit<UsageFixture, 'meter'>[],
    overrides: Partial<UsageQuery> = {},
  ) {
    await insertUsage(
      db,
      records.map((record) => ({ meter: 'm', ...record })),
    );
    const result = await queryUsage(db, testMeter('m', aggregation), query(overrides));
    return result.rows.map((row) => row.value);
  }

  describe('values are exact decimals computed on numeric', () => {
    it('sum adds exactly and skips null values', async () => {
      expect(
        await valuesOf('sum', [
          { time: '2026-10-01T01:00:00Z', value: '0.1' },
          { time: '2026-10-01T02:00:00Z', value: '0.2' },
          { time: '2026-10-01T03:00:00Z', value: null },
        ]),
      ).toEqual(['0.3']);
    });

    it('keeps 12345678901234567890.123456789 whole through sum, min, max and latest', async () => {
      const big = '12345678901234567890.123456789';
      await insertUsage(db, [
        { meter: 'm', time: '2026-10-01T01:00:00Z', value: big },
        { meter: 'm', time: '2026-10-01T00:30:00Z', value: '0.000000001' },
      ]);
      const value = async (aggregation: Aggregation) =>
        (await queryUsage(db, testMeter('m', aggregation), query())).rows[0]?.value;
      expect(await value('sum')).toBe('12345678901234567890.123456790');
      expect(await value('max')).toBe(big);
      expect(await value('min')).toBe('0.000000001');
      expect(await value('latest')).toBe(big);
    });

    it('min and max skip null values, and a window with only null values has no row', async () => {
      const records = [
        { time: '2026-10-01T01:00:00Z', value: '5' },
        { time: '2026-10-01T01:10:00Z', value: null },
        { time: '2026-10-01T01:20:00Z', value: '-2.5' },
        { time: '2026-10-01T02:10:00Z', value: null },
      ];
      expect(await valuesOf('min', records, { window: 'hour' })).toEqual(['-2.5']);
      expect((await queryUsage(db, testMeter('m', 'max'), query({ window: 'hour' }))).rows).toEqual([
        { windowStart: '2026-10-01T01:00:00.000Z', windowEnd: '2026-10-01T02:00:00.000Z', groups: {}, value: '5' },
      ]);
    });

    it('avg is the exact numeric average of non-null values, at PostgreSQL numeric scale (at least 16 significant digits)', async () => {
      expect(
        await valuesOf('avg', [
          { time: '2026-10-01T01:00:00Z', value: '1' },
          { time: '2026-10-01T02:00:00Z', value: '2' },
          { time: '2026-10-01T03:00:00Z', value: null },
        ]),
      ).toEqual(['1.5000000000000000']);
      expect(
        await valuesOf(
          'avg',
          [
            { time: '2026-10-01T04:00:00Z', value: '0.1' },
            { time: '2026-10-01T05:00:00Z', value: '0.2' },
          ],
          { customer: 'acme' },
        ),
      ).toEqual(['0.82500000000000000000']); // (1 + 2 + 0.1 + 0.2) / 4: all of acme's non-null values
      expect(
        await valuesOf(
          'avg',
          [
            { time: '2026-10-01T06:00:00Z', value: '1', customer: 'globex' },
            { time: '2026-10-01T07:00:00Z', value: '0', customer: 'globex' },
            { time: '2026-10-01T08:00:00Z', value: '0', customer: 'globex' },
          ],
          { customer: 'globex' },
        ),
      ).toEqual(['0.33333333333333333333']);
    });

    it('count counts records, null values included', async () => {
      expect(
        await valuesOf('count', [
          { time: '2026-10-01T01:00:00Z', value: null },
          { time: '2026-10-01T02:00:00Z', value: '3' },
          { time: '2026-10-01T03:00:00Z', value: null },
        ]),
      ).toEqual(['3']);
    });

    it('unique_count counts distinct non-null keys, so "7" and 7 are two values', async () => {
      expect(
        await valuesOf('unique_count', [
          { time: '2026-10-01T01:00:00Z', distinctKey: '7' },
          { time: '2026-10-01T02:00:00Z', distinctKey: '"7"' },
          { time: '2026-10-01T03:00:00Z', distinctKey: '7' },
          { time: '2026-10-01T04:00:00Z', distinctKey: null },
        ]),
      ).toEqual(['2']);
    });

    it('latest is the value of the greatest event time, not the last to arrive; a tie goes to the greater seq; nulls are skipped', async () => {
      // Given the later event arrives first (lower seq), and a later null value.
      expect(
        await valuesOf('latest', [
          { time: '2026-10-01T05:00:00Z', value: '50', receivedAt: '2026-10-01T05:00:01Z' },
          { time: '2026-10-01T04:00:00Z', value: '40', receivedAt: '2026-10-01T06:00:00Z' },
          { time: '2026-10-01T06:00:00Z', value: null },
        ]),
      ).toEqual(['50']);
      expect(
        await valuesOf('latest', [
          { time: '2026-10-01T07:00:00Z', value: '1' },
          { time: '2026-10-01T07:00:00Z', value: '2' },
        ]),
      ).toEqual(['2']);
    });
  });

  describe('windows', () => {
    it('are [from, to): a record at from counts, one at to does not', async () => {
      expect(
        await valuesOf('count', [
          { time: FROM },
          { time: TO },
          { time: '2026-10-01T23:59:59.999999Z' },
          { time: '2026-09-30T23:59:59.999999Z' },
        ]),
      ).toEqual(['2']);
    });

    it('clip the first and last window to [from, to) while aligning the others', async () => {
      await insertUsage(db, [
        { meter: 'm', time: '2026-10-01T10:14:00Z' },
        { meter: 'm', time: '2026-10-01T10:15:00Z' },
        { meter: 'm', time: '2026-10-01T11:59:00Z' },
        { meter: 'm', time: '2026-10-01T12:20:00Z' },
      ]);
      const result = await queryUsage(
        db,
        testMeter('m', 'sum'),
        query({ from: '2026-10-01T10:15:00.000Z', to: '2026-10-01T12:30:00.000Z', window: 'hour' }),
      );
      expect(result.rows.map((row) => [row.windowStart, row.windowEnd, row.value])).toEqual([
        ['2026-10-01T10:15:00.000Z', '2026-10-01T11:00:00.000Z', '1'],
        ['2026-10-01T11:00:00.000Z', '2026-10-01T12:00:00.000Z', '1'],
        ['2026-10-01T12:00:00.000Z', '2026-10-01T12:30:00.000Z', '1'],
      ]);
    });

    it('cut minutes, and keep microseconds of from and to', async () => {
      await insertUsage(db, [
        { meter: 'm', time: '2026-10-01T00:00:30.000001Z' },
        { meter: 'm', time: '2026-10-01T00:01:59Z' },
      ]);
      const result = await queryUsage(
        db,
        testMeter('m', 'count'),
        query({ from: '2026-10-01T00:00:30.000001Z', to: '2026-10-01T00:02:00.000Z', window: 'minute' }),
      );
      expect(result.rows.map((row) => [row.windowStart, row.windowEnd, row.value])).toEqual([
        ['2026-10-01T00:00:30.000001Z', '2026-10-01T00:01:00.000Z', '1'],
        ['2026-10-01T00:01:00.000Z', '2026-10-01T00:02:00.000Z', '1'],
      ]);
    });

    it('leave out empty windows of value aggregations, and answer 0 for every empty window of count and unique_count', async () => {
      const records = [{ meter: 'm', time: '2026-10-01T01:30:00Z', value: '2', distinctKey: '"a"' }];
      await insertUsage(db, records);
      const range = { from: '2026-10-01T00:00:00.000Z', to: '2026-10-01T03:00:00.000Z', window: 'hour' as const };
      for (const aggregation of ['sum', 'min', 'max', 'avg', 'latest'] as const) {
        const rows = (await queryUsage(db, testMeter('m', aggregation), query(range))).rows;
        expect(
          rows.map((row) => row.windowStart),
          aggregation,
        ).toEqual(['2026-10-01T01:00:00.000Z']);
      }
      for (const aggregation of ['count', 'unique_count'] as const) {
        const rows = (await queryUsage(db, testMeter('m', aggregation), query(range))).rows;
        expect(
          rows.map((row) => [row.windowStart, row.value]),
          aggregation,
        ).toEqual([
          ['2026-10-01T00:00:00.000Z', '0'],
          ['2026-10-01T01:00:00.000Z', '1'],
          ['2026-10-01T02:00:00.000Z', '0'],
        ]);
      }
      // Nothing at all in range: still one row per window for count, none for sum.
      const empty = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-01T02:00:00.000Z', window: 'hour' as const };
      expect((await queryUsage(db, testMeter('m', 'count'), query(empty))).rows.map((row) => row.value)).toEqual([
        '0',
        '0',
      ]);
      expect((await queryUsage(db, testMeter('m', 'sum'), query(empty))).rows).toEqual([]);
    });

    it('align days to the zone: a Europe/Berlin day is 23 hours on 2026-03-29 and 25 hours on 2026-10-25', async () => {
      await insertUsage(db, [
        { meter: 'm', time: '2026-03-28T22:59:59Z' }, // 23:59:59 on the 28th in Berlin (UTC+1)
        { meter: 'm', time: '2026-03-28T23:00:00Z' }, // 00:00 on the 29th
        { meter: 'm', time: '2026-03-29T21:59:59Z' }, // 23:59:59 on the 29th (UTC+2)
        { meter: 'm', time: '2026-10-24T22:00:00Z' }, // 00:00 on 25 October (UTC+2)
        { meter: 'm', time: '2026-10-25T22:59:59Z' }, // 23:59:59 on 25 October (UTC+1)
      ]);
      const meter = testMeter('m', 'count');
      const spring = await queryUsage(
        db,
        meter,
        query({ from: '2026-03-27T23:00:00.000Z', to: '2026-03-30T22:00:00.000Z', window: 'day', tz: 'Europe/Berlin' }),
      );
      expect(spring.rows.map((row) => [row.windowStart, row.windowEnd, row.value])).toEqual([
        ['2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z', '1'],
        ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z', '2'],
        ['2026-03-29T22:00:00.000Z', '2026-03-30T22:00:00.000Z', '0'],
      ]);
      const autumn = await queryUsage(
        db,
        meter,
        query({ from: '2026-10-24T22:00:00.000Z', to: '2026-10-26T23:00:00.000Z', window: 'day', tz: 'Europe/Berlin' }),
      );
      expect(autumn.rows.map((row) => [row.windowStart, row.windowEnd, row.value])).toEqual([
        ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', '2'],
        ['2026-10-25T23:00:00.000Z', '2026-10-26T23:00:00.000Z', '0'],
      ]);
      const hours = (end: string, start: string) => (Date.parse(end) - Date.parse(start)) / 3_600_000;
      expect(hours(spring.rows[1]?.windowEnd ?? '', spring.rows[1]?.windowStart ?? '')).toBe(23);
      expect(hours(autumn.rows[0]?.windowEnd ?? '', autumn.rows[0]?.windowStart ?? '')).toBe(25);
    });

    it('align months to the zone, clipping the first and last, and hours to a half-hour zone', async () => {
      await insertUsage(db, [
        { meter: 'm', time: '2026-01-31T23:00:00Z', value: '1' }, // 18:00 on 31 January in New York
        { meter: 'm', time: '2026-02-01T05:00:00Z', value: '2' }, // 00:00 on 1 February
        { meter: 'm', time: '2026-03-10T00:00:00Z', value: '4' },
      ]);
      const months = await queryUsage(
        db,
        testMeter('m', 'sum'),
        query({
          from: '2026-01-15T00:00:00.000Z',
          to: '2026-03-20T00:00:00.000Z',
          window: 'month',
          tz: 'America/New_York',
        }),
      );
      expect(months.rows.map((row) => [row.windowStart, row.windowEnd, row.value])).toEqual([
        ['2026-01-15T00:00:00.000Z', '2026-02-01T05:00:00.000Z', '1'],
        ['2026-02-01T05:00:00.000Z', '2026-03-01T05:00:00.000Z', '2'],
        ['2026-03-01T05:00:00.000Z', '2026-03-20T00:00:00.000Z', '4'],
      ]);
      const kolkata = await queryUsage(
        db,
        testMeter('m', 'sum'),
        query({ from: '2026-02-01T04:00:00.000Z', to: '2026-02-01T06:00:00.000Z', window: 'hour', tz: 'Asia/Kolkata' }),
      );
      expect(kolkata.rows).toEqual([
        { windowStart: '2026-02-01T04:30:00.000Z', windowEnd: '2026-02-01T05:30:00.000Z', groups: {}, value: '2' },
      ]);
    });
  });

  describe('groups and filters', () => {
    const records: UsageFixture[] = [
      { meter: 'api', time: '2026-10-01T00:10:00Z', customer: 'acme', dimensions: { region: 'eu' } },
      { meter: 'api', time: '2026-10-01T00:20:00Z', customer: 'acme', dimensions: { region: 'us' } },
      { meter: 'api', time: '2026-10-01T00:30:00Z', customer: 'acme', dimensions: { region: 'eu' } },
      {
        meter: 'api',
        time: '2026-10-01T01:10:00Z',
        customer: 'globex',
        dimensions: { region: 'eu' },
        legalEntity: 'EU',
        currency: 'EUR',
      },
      { meter: 'api', time: '2026-10-01T01:20:00Z', customer: 'globex', dimensions: {} },
      { meter: 'other', time: '2026-10-01T01:20:00Z', customer: 'acme' },
    ];
    const hourly = { from: FROM, to: '2026-10-01T02:00:00.000Z', window: 'hour' as const };

    it('groups by a dimension and the customer, with a 0 for every group seen in the range, ordered by window then groups', async () => {
      await insertUsage(db, records);
      const result = await queryUsage(
        db,
        testMeter('api', 'count', ['region']),
        query({ ...hourly, groupBy: ['region', 'customer'] }),
      );
      expect(result).toMatchObject({
        meter: 'api',
        aggregation: 'count',
        groupBy: ['region', 'customer'],
        window: 'hour',
        tz: 'UTC',
      });
      expect(result.rows.map((row) => [row.windowStart.slice(11, 13), row.groups, row.value])).toEqual([
        ['00', { region: null, customer: 'globex' }, '0'],
        ['00', { region: 'eu', customer: 'acme' }, '2'],
        ['00', { region: 'eu', customer: 'globex' }, '0'],
        ['00', { region: 'us', customer: 'acme' }, '1'],
        ['01', { region: null, customer: 'globex' }, '1'],
        ['01', { region: 'eu', customer: 'acme' }, '0'],
        ['01', { region: 'eu', customer: 'globex' }, '1'],
        ['01', { region: 'us', customer: 'acme' }, '0'],
      ]);
    });

    it('answers null groups in every window when no record is in range', async () => {
      const result = await queryUsage(
        db,
        testMeter('api', 'unique_count', ['region']),
        query({ ...hourly, groupBy: ['customer', 'region'] }),
      );
      expect(result.rows).toEqual([
        {
          windowStart: FROM,
          windowEnd: '2026-10-01T01:00:00.000Z',
          groups: { customer: null, region: null },
          value: '0',
        },
        {
          windowStart: '2026-10-01T01:00:00.000Z',
          windowEnd: '2026-10-01T02:00:00.000Z',
          groups: { customer: null, region: null },
          value: '0',
        },
      ]);
    });

    it('groups value aggregations by legal entity and currency without zero rows', async () => {
      await insertUsage(db, records);
      const result = await queryUsage(
        db,
        testMeter('api', 'sum'),
        query({ groupBy: ['legal_entity', 'currency', 'subscription'] }),
      );
      expect(result.rows.map((row) => [row.groups, row.value])).toEqual([
        [{ legal_entity: 'EU', currency: 'EUR', subscription: 'globex-sub' }, '1'],
        [{ legal_entity: 'US', currency: 'USD', subscription: 'acme-sub' }, '3'],
        [{ legal_entity: 'US', currency: 'USD', subscription: 'globex-sub' }, '1'],
      ]);
    });

    it('keeps dimension values as JSON: 7 and "7" are two groups', async () => {
      await insertUsage(db, [
        { meter: 'tier', time: '2026-10-01T00:10:00Z', dimensions: { tier: 7 } },
        { meter: 'tier', time: '2026-10-01T00:20:00Z', dimensions: { tier: '7' } },
        { meter: 'tier', time: '2026-10-01T00:30:00Z', dimensions: { tier: 7 } },
      ]);
      const result = await queryUsage(db, testMeter('tier', 'count', ['tier']), query({ groupBy: ['tier'] }));
      expect(result.rows.map((row) => [row.groups, row.value])).toEqual([
        [{ tier: 7 }, '2'],
        [{ tier: '7' }, '1'],
      ]);
    });

    it('filters by customer', async () => {
      await insertUsage(db, records);
      const meter = testMeter('api', 'count', ['region']);
      expect((await queryUsage(db, meter, query({ customer: 'globex' }))).rows.map((row) => row.value)).toEqual(['2']);
      expect((await queryUsage(db, meter, query({ customer: 'acme' }))).rows.map((row) => row.value)).toEqual(['3']);
      expect((await queryUsage(db, meter, query({ customer: 'nobody' }))).rows.map((row) => row.value)).toEqual(['0']);
      expect((await queryUsage(db, meter, query({ customer: 'acme' }))).customer).toBe('acme');
    });
  });
});
