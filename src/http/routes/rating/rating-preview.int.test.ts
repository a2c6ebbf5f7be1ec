import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import { referenceCatalogYaml } from '../../../../test/fixtures/reference-catalog.js';

// Stripe's documented graduated table: 5 units at 7, the next 5 at 6.5, the rest at 6.
const STRIPE_GRADUATED = {
  key: 'api',
  meter: 'api_calls',
  model: 'graduated',
  prices: {
    USD: {
      tiers: [
        { upTo: '5', unitPrice: '7' },
        { upTo: '10', unitPrice: '6.5' },
        { upTo: null, unitPrice: '6' },
      ],
    },
  },
};

describeEachStore('POST /v1/rating/preview', (stores) => {
  let t: TestApp;
  const preview = (json: unknown, key?: string | null) =>
    t.request('/v1/rating/preview', { method: 'POST', json, key });
  const errorsOf = async (json: unknown, detail: RegExp) =>
    (await expectProblem(await preview(json), 400, detail)).errors;

  // One server for the file: previews store nothing; only the catalog lookups need a catalog, applied there.
  beforeAll(async () => {
    t = await startTestApp(stores);
  });
  afterAll(() => t.close());

  describe('prices', () => {
    it('quotes an inline graduated charge with one line per tier and the rounded amount (Stripe: 12 units → 79.50)', async () => {
      const response = await preview(
        { charge: STRIPE_GRADUATED, currency: 'USD', quantity: '12' },
        await t.keyFor('read'),
      );
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({
        charge: { key: 'api', model: 'graduated' },
        model: 'graduated',
        currency: 'USD',
        quantity: '12',
        ratedQuantity: '12',
        billableQuantity: '12',
        lines: [
          {
            kind: 'tier_units',
            description: 'tier 1: 5 × 7',
            quantity: '5',
            unitPrice: '7',
            tier: 1,
            from: '0',
            upTo: '5',
            amount: '35',
          },
          {
            kind: 'tier_units',
            description: 'tier 2: 5 × 6.5',
            quantity: '5',
            unitPrice: '6.5',
            tier: 2,
            from: '5',
            upTo: '10',
            amount: '32.5',
          },
          {
            kind: 'tier_units',
            description: 'tier 3: 2 × 6',
            quantity: '2',
            unitPrice: '6',
            tier: 3,
            from: '10',
            upTo: null,
            amount: '12',
          },
        ],
        exactAmount: '79.5',
        amount: '79.50',
        rounding: 'half_away_from_zero',
      });
    });

    it('prices the rounded quantity of a charge that rounds it, and says how (1,234,567 tokens at 2.00 per started million)', async () => {
      const charge = {
        key: 'tokens',
        meter: 'tokens',
        model: 'per_unit',
        prices: { USD: '2' },
        config: { quantityRounding: { mode: 'ceil', divideBy: '1000000' } },
      };
      const response = await preview({ charge, currency: 'USD', quantity: '1234567', alreadyBilled: '900000' });
      expect(await readJson(response)).toMatchObject({
        quantity: '1234567',
        ratedQuantity: '2',
        quantityRounding: '÷ 1000000, rounded up to whole units',
        amount: '2.00',
      });
    });

    it('prices a percentage charge from per-event values', async () => {
      const charge = {
        key: 'fees',
        meter: 'payments',
        model: 'percentage',
        prices: { USD: { fixedFeePerEvent: '0.30' } },
        config: { rate: '2.9' },
      };
      const response = await preview({ charge, currency: 'USD', quantity: '300', eventValues: ['100', '200'] });
      expect(response.status).toBe(200);
      const body = await readJson(response);
      // 2.9% of 300 = 8.7, plus 2 × 0.30.
      expect(body).toMatchObject({ charge: { key: 'fees', model: 'percentage' }, exactAmount: '9.3', amount: '9.30' });
      expect(body.lines.map((line: { kind: string }) => line.kind)).toEqual(['percentage', 'event_fees']);
    });

    it('looks a charge up by plan and charge key in the current catalog, 404 while anything is missing', async () => {
      const named = { plan: 'growth', chargeKey: 'api', currency: 'USD', quantity: '1000500' };
      await expectProblem(await preview(named), 404, /^no catalog has been applied yet$/);

      const applied = await t.request('/v1/catalog', {
        method: 'POST',
        body: referenceCatalogYaml(),
        headers: { 'content-type': 'application/yaml' },
      });
      expect(applied.status).toBe(201);

      const response = await preview(named, await t.keyFor('read'));
      expect(response.status).toBe(200);
      const body = await readJson(response);
      // The first 1,000,000 calls are priced at 0, the 500 after them at 0.002.
      expect(body).toMatchObject({
        charge: { key: 'api', model: 'graduated' },
        currency: 'USD',
        exactAmount: '1',
        amount: '1.00',
      });
      expect(body.lines).toHaveLength(2);

      await expectProblem(
        await preview({ ...named, plan: 'enterprise' }),
        404,
        /^catalog version 1 has no plan "enterprise"$/,
      );
      await expectProblem(
        await preview({ ...named, chargeKey: 'sms' }),
        404,
        /^plan "growth" of catalog version 1 has no charge "sms"$/,
      );
      await expectProblem(
        await preview({ ...named, currency: 'GBP' }),
        404,
        /^charge api has no GBP price \(it is priced in (USD, EUR|EUR, USD)\)$/,
      );
    });
  });

  describe('refusals', () => {
    it('lists every error of a malformed charge, each at its body path', async () => {
      const graduated = {
        ...STRIPE_GRADUATED,
        prices: {
          USD: {
            tiers: [
              { upTo: '10', unitPrice: '7' },
              { upTo: '5', unitPrice: '-6.5' },
              { upTo: null, unitPrice: '6' },
            ],
            discount: '5',
          },
        },
      };
      expect(await errorsOf({ charge: graduated, currency: 'USD', quantity: '1' }, /^invalid charge$/)).toEqual([
        {
          path: '/charge/prices/USD/discount',
          message: 'is not a price field of a graduated charge (allowed: tiers, minimum, maximum)',
        },
        {
          path: '/charge/prices/USD/tiers/1/upTo',
          message: "must be greater than the previous tier's upTo (10): tiers are sorted and do not overlap",
        },
        { path: '/charge/prices/USD/tiers/1/unitPrice', message: 'must not be negative' },
      ]);

      const percentage = {
        key: 'fees',
        meter: 'payments',
        model: 'percentage',
        prices: { USD: {} },
        config: { rate: '150' },
      };
      expect(await errorsOf({ charge: percentage, currency: 'USD', quantity: '1' }, /^invalid charge$/)).toEqual([
        { path: '/charge/config/rate', message: 'is a percentage and must be at most 100' },
      ]);

      const packaged = { key: 'sms', model: 'package', prices: { USD: '5' }, config: { packageSize: '0' } };
      expect(await errorsOf({ charge: packaged, currency: 'USD', quantity: '1' }, /^invalid charge$/)).toEqual([
        { path: '/charge/config/packageSize', message: 'must be greater than 0' },
        { path: '/charge/meter', message: 'is required: a "package" charge prices a meter\'s usage' },
      ]);

      const unknownField = { ...STRIPE_GRADUATED, discount: '5' };
      expect(await errorsOf({ charge: unknownField, currency: 'USD', quantity: '1' }, /^invalid charge$/)).toEqual([
        { path: '/charge/discount', message: 'is not allowed' },
      ]);
    });

    it('refuses bad usage with every error at its body path', async () => {
      const errors = await errorsOf(
        {
          charge: STRIPE_GRADUATED,
          currency: 'USD',
          quantity: '-1',
          alreadyBilled: 'lots',
          proration: '2',
          eventCount: -1,
        },
        /^cannot rate this usage$/,
      );
      expect(errors).toEqual([
        { path: '/quantity', message: 'must not be negative' },
        { path: '/eventCount', message: 'must be a whole number, 0 or more' },
        { path: '/alreadyBilled', message: 'must be a decimal string such as "1500" or "0.25"' },
        { path: '/proration', message: 'must be from 0 to 1' },
      ]);
      expect(
        await errorsOf({ charge: STRIPE_GRADUATED, currency: 'USD', quantity: '1e3' }, /^cannot rate this usage$/),
      ).toEqual([{ path: '/quantity', message: 'must be a decimal string such as "1500" or "0.25"' }]);
    });

    it('refuses a body without currency or quantity, with an unknown field, or naming the charge twice or not at all', async () => {
      expect(await errorsOf({ charge: STRIPE_GRADUATED, other: 1 }, /^the body is invalid$/)).toEqual(
        expect.arrayContaining([
          { path: '/currency', message: expect.any(String) },
          { path: '/quantity', message: expect.any(String) },
          { path: '', message: 'must NOT have additional properties' },
        ]),
      );
      const both = { charge: STRIPE_GRADUATED, plan: 'growth', chargeKey: 'api', currency: 'USD', quantity: '1' };
      expect(await errorsOf(both, /not both/)).toEqual([
        { path: '/charge', message: 'must not be given with plan or chargeKey' },
      ]);
      expect(await errorsOf({ currency: 'USD', quantity: '1' }, /name the charge/)).toEqual([
        { path: '/charge', message: expect.stringContaining('is required') },
      ]);
      expect(await errorsOf({ plan: 'growth', currency: 'USD', quantity: '1' }, /name the charge/)).toEqual([
        { path: '/chargeKey', message: 'is required with plan' },
      ]);
    });

    it('answers 404 for a currency the charge has no price in, as the rating engine does', async () => {
      await expectProblem(
        await preview({ charge: STRIPE_GRADUATED, currency: 'EUR', quantity: '1' }),
        404,
        /^charge api has no EUR price \(it is priced in USD\)$/,
      );
      await expectProblem(
        await preview({ charge: STRIPE_GRADUATED, currency: '__proto__', quantity: '1' }),
        404,
        /has no __proto__ price/,
      );
    });

    it('needs a read key (401 / 403)', async () => {
      const body = { charge: STRIPE_GRADUATED, currency: 'USD', quantity: '1' };
      await expectProblem(await preview(body, null), 401, /API key/);
      await expectProblem(await preview(body, await t.keyFor('ingest')), 403, /does not grant "read"/);
    });
  });

  it('publishes its body, result and every problem response in the OpenAPI document', async () => {
    const operation = (await readJson(await t.request('/openapi.json', { key: null }))).paths['/v1/rating/preview']
      .post;
    expect(Object.keys(operation.responses).sort()).toEqual(['200', '400', '401', '403', '404', '413']);
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(operation.requestBody.content['application/json'].schema.required).toEqual(['currency', 'quantity']);
  });

  describe('hostile input', () => {
    it('refuses "__proto__" and "constructor" keys anywhere in the body, and pollutes nothing', async () => {
      for (const raw of [
        '{"charge":{"key":"c","model":"flat","prices":{"USD":"1"},"__proto__":{"polluted":true}},"currency":"USD","quantity":"1"}',
        '{"charge":{"key":"c","model":"flat","prices":{"USD":"1"},"config":{"constructor":{"prototype":{"polluted":true}}}},"currency":"USD","quantity":"1"}',
        '{"__proto__":{"polluted":true},"currency":"USD","quantity":"1"}',
      ]) {
        await expectProblem(
          await t.request('/v1/rating/preview', {
            method: 'POST',
            body: raw,
            headers: { 'content-type': 'application/json' },
          }),
          400,
          /.+/,
        );
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses more than 100,000 event values before pricing any', async () => {
      const charge = {
        key: 'fees',
        meter: 'payments',
        model: 'percentage',
        prices: { USD: {} },
        config: { rate: '1' },
      };
      const errors = await errorsOf(
        { charge, currency: 'USD', quantity: '100001', eventValues: Array.from({ length: 100_001 }, () => '1') },
        /^the body is invalid$/,
      );
      expect(errors).toEqual([{ path: '/eventValues', message: 'must NOT have more than 100000 items' }]);
    });

    it('refuses malformed JSON with 400 and a body over 1 MiB with 413', async () => {
      const send = (body: string) =>
        t.request('/v1/rating/preview', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      await expectProblem(await send('{"charge": {"key": '), 400, /JSON/);
      await expectProblem(
        await send(
          JSON.stringify({
            charge: { ...STRIPE_GRADUATED, name: 'x'.repeat(1024 * 1024) },
            currency: 'USD',
            quantity: '1',
          }),
        ),
        413,
        /.+/,
      );
    });
  });
});
