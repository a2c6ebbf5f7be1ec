import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referenceCatalogYaml } from '../fixtures/reference-catalog.js';
import { ManualClock } from '../../src/platform/clock.js';
import { cloudEvent } from '../harness/events.js';
import { expectProblem } from '../harness/expect-problem.js';
import { operationName, readOperations, type ApiOperation } from '../harness/openapi-operations.js';
import { readJson } from '../harness/read-json.js';
import { rowCounts, type RowCounts } from '../harness/row-counts.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

// One example per class of hostile content the outside fuzz found answered with a 500 (issue 10), each
// now a precise 4xx naming the field, with nothing stored.

const NUL = /must not contain the character U\+0000/;
const SURROGATE = /lone UTF-16 surrogate/;
const TOO_DEEP = 'nests deeper than 64 levels of objects and arrays';
const deep = (levels = 10_000) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
/** A JSON string literal holding `escape` as written (`\\u0000`, `\\ud800`): what JSON.parse turns into the bad character. */
const withEscape = (text: string, escape: string) => JSON.stringify(text).replace('@', escape);
const GRADUATED = {
  key: 'api',
  meter: 'api_calls',
  model: 'graduated',
  prices: {
    USD: {
      tiers: [
        { upTo: '5', unitPrice: '7' },
        { upTo: null, unitPrice: '6' },
      ],
    },
  },
};

describeEachStore('hostile content is refused at the boundary, naming the field', (stores) => {
  let t: TestApp;
  let operations: ApiOperation[];
  let before: RowCounts;
  const post = (path: string, body: string | Uint8Array, contentType = 'application/json') =>
    t.request(path, { method: 'POST', headers: { 'content-type': contentType }, body });
  const rejectedErrors = async (response: Response) => {
    expect(response.status).toBe(400);
    const body = await readJson(response);
    expect(body.accepted).toBe(0);
    return body.rejected.flatMap((rejection: { errors: unknown[] }) => rejection.errors);
  };

  beforeAll(async () => {
    t = await startTestApp(stores, { clock: new ManualClock('2026-11-01T00:00:00Z') });
    operations = await readOperations(t);
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    before = await rowCounts(t.app.db);
  });
  const expectNothingStored = async () => expect(await rowCounts(t.app.db)).toEqual(before);

  describe('U+0000 (NUL), which PostgreSQL text and jsonb cannot hold', () => {
    it('in an event id, in data, in a key and on an NDJSON line: that event is rejected at its path', async () => {
      const event = JSON.stringify(cloudEvent({ id: '@' })).replace('"@"', withEscape('e@', '\\u0000'));
      expect(await rejectedErrors(await post('/v1/events', event))).toEqual([
        { path: '/id', message: expect.stringMatching(NUL) },
      ]);
      const data = JSON.stringify(cloudEvent({ data: { note: '@' } })).replace('"@"', withEscape('@', '\\u0000'));
      expect(await rejectedErrors(await post('/v1/events', data))).toEqual([
        { path: '/data/note', message: expect.stringMatching(NUL) },
      ]);
      const key = JSON.stringify(cloudEvent({ data: { '@': 1 } })).replace('"@"', withEscape('k@', '\\u0000'));
      expect(await rejectedErrors(await post('/v1/events', key))).toEqual([
        { path: '/data/k\u0000', message: expect.stringMatching(NUL) },
      ]);
      expect(await rejectedErrors(await post('/v1/events', `${event}\n`, 'application/x-ndjson'))).toEqual([
        { path: '/id', message: expect.stringMatching(NUL) },
      ]);
      await expectNothingStored();
    });

    it("in an OpenMeter and a Lago event: a 400 problem, and Lago's 422 naming its own field", async () => {
      const event = JSON.stringify(cloudEvent({ id: '@' })).replace('"@"', withEscape('e@', '\\u0000'));
      const openMeter = await expectProblem(
        await post('/compat/openmeter/api/v1/events', event, 'application/cloudevents+json'),
        400,
        /^invalid event at index 0: \/id must not contain/,
      );
      expect(openMeter.errors).toEqual([{ path: '/0/id', message: expect.stringMatching(NUL) }]);
      const lago = JSON.stringify({
        event: { transaction_id: '@', external_subscription_id: 's', code: 'c', properties: { note: 'fine' } },
      }).replace('"@"', withEscape('tx@', '\\u0000'));
      const single = await post('/compat/lago/api/v1/events', lago);
      expect(single.status).toBe(422);
      expect((await readJson(single)).error_details).toEqual({ transaction_id: [expect.stringMatching(NUL)] });
      const batch = await post(
        '/compat/lago/api/v1/events/batch',
        JSON.stringify({
          events: [{ transaction_id: 'ok', external_subscription_id: 's', code: 'c' }, JSON.parse(lago).event],
        }),
      );
      expect(batch.status).toBe(422);
      expect((await readJson(batch)).error_details).toEqual({ 1: { transaction_id: [expect.stringMatching(NUL)] } });
      await expectNothingStored();
    });

    it('in a path parameter, a query parameter and a parameter name: a 400 problem naming it', async () => {
      const path = await expectProblem(
        await t.request('/v1/invoices/%00'),
        400,
        /^the request is refused: \/params\/id must not contain/,
      );
      expect(path.errors).toEqual([{ path: '/params/id', message: expect.stringMatching(NUL) }]);
      await expectProblem(await t.request('/v1/event-types/a%00b/schemas'), 400, /\/params\/type must not contain/);
      await expectProblem(await t.request('/v1/exceptions?meter=%00'), 400, /\/query\/meter must not contain/);
      await expectProblem(
        await t.request('/v1/invoices?x%00=1'),
        400,
        /\/query\/x. the key "x\\u0000" must not contain/,
      );
      await expectNothingStored();
    });

    it('in a catalog string (YAML and JSON) and in a schema body: a 400 problem naming it', async () => {
      const yaml = referenceCatalogYaml().replace('name: Acme Corporation', 'name: "Acme\\0"');
      const catalog = await expectProblem(
        await post('/v1/catalog', yaml, 'application/yaml'),
        400,
        /^catalog\.yaml holds values that cannot be stored$/,
      );
      expect(catalog.errors).toEqual([{ path: '/customers/0/name', message: expect.stringMatching(NUL) }]);
      const json = JSON.stringify(parse(referenceCatalogYaml())).replace(
        '"Acme Corporation"',
        withEscape('Acme@', '\\u0000'),
      );
      await expectProblem(
        await post('/v1/catalog/diff', json),
        400,
        /^catalog\.json holds values that cannot be stored$/,
      );
      const schema = await expectProblem(
        await t.request('/v1/event-types/t/schemas/1', {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: `{"type":"object","description":${withEscape('@', '\\u0000')}}`,
        }),
        400,
        /^the body is refused: \/description/,
      );
      expect(schema.errors).toEqual([{ path: '/description', message: expect.stringMatching(NUL) }]);
      await expectNothingStored();
    });
  });

  describe('lone UTF-16 surrogates, which are no Unicode characters', () => {
    it('in data: a rejection naming the field, not a 500 (22P05)', async () => {
      const data = JSON.stringify(cloudEvent({ data: { note: '@' } })).replace('"@"', withEscape('x@', '\\ud800'));
      expect(await rejectedErrors(await post('/v1/events', data))).toEqual([
        { path: '/data/note', message: expect.stringMatching(SURROGATE) },
      ]);
      await expectNothingStored();
    });

    it('in ids: order-\\ud800 and order-\\udbff are both refused, so neither is taken for the other and no event is lost', async () => {
      for (const lone of ['\\ud800', '\\udbff']) {
        const event = JSON.stringify(cloudEvent({ id: '@' })).replace('"@"', withEscape('order-@', lone));
        expect(await rejectedErrors(await post('/v1/events', event))).toEqual([
          { path: '/id', message: expect.stringMatching(SURROGATE) },
        ]);
      }
      await expectNothingStored();
      // The character the text would have become is an ordinary id, stored once.
      expect(
        (await readJson(await post('/v1/events', JSON.stringify(cloudEvent({ id: 'order-\ufffd' }))))).accepted,
      ).toBe(1);
    });
  });

  describe('deep nesting, refused past 64 levels before anything recurses', () => {
    it('in data, id and specversion of an event: a rejection at the 65th level, not a stack overflow', async () => {
      for (const attribute of ['data', 'id', 'specversion']) {
        const body = JSON.stringify(cloudEvent({ [attribute]: '@' })).replace('"@"', deep());
        expect(await rejectedErrors(await post('/v1/events', body))).toEqual([
          { path: `/${attribute}${'/0'.repeat(63)}`, message: TOO_DEEP },
        ]);
      }
      await expectNothingStored();
    });

    it('in the body of every route that takes JSON (read from /openapi.json): a 4xx naming the depth', async () => {
      const jsonRoutes = operations.filter((operation) => 'application/json' in operation.bodies);
      expect(jsonRoutes.length).toBeGreaterThanOrEqual(10);
      for (const operation of jsonRoutes) {
        const path = operation.path.replace(/\{\w+\}/g, '1');
        const response = await t.request(path, {
          method: operation.method,
          headers: { 'content-type': 'application/json' },
          body: `{"a":${deep()}}`,
        });
        const text = await response.text();
        expect([400, 422], `${operationName(operation)}: ${text.slice(0, 200)}`).toContain(response.status);
        expect(text, operationName(operation)).toMatch(/nests deeper than 64 levels/);
      }
      await expectNothingStored();
    });

    it('in a catalog file, YAML or JSON, and through YAML explicit keys, which cost the parser more than linear time', async () => {
      await expectProblem(
        await post('/v1/catalog', `apiVersion: meterbridge/v1\nplans: ${deep()}\n`, 'application/yaml'),
        400,
        /^catalog\.yaml nests too deeply$/,
      );
      await expectProblem(
        await post('/v1/catalog/diff', `apiVersion: meterbridge/v1\n${'? '.repeat(5_000)}x\n`, 'application/yaml'),
        400,
        /nests too deeply/,
      );
      await expectProblem(
        await post('/v1/catalog/diff', `{"apiVersion":"meterbridge/v1","plans":${deep()}}`),
        400,
        /^catalog\.json nests too deeply$/,
      );
      await expectNothingStored();
    });
  });

  describe('null items in arrays', () => {
    it('a null tier in a price preview, a catalog diff and a catalog apply: a 400 naming the tier', async () => {
      const charge = { ...GRADUATED, prices: { USD: { tiers: [null, ...GRADUATED.prices.USD.tiers] } } };
      const preview = await expectProblem(
        await t.request('/v1/rating/preview', { method: 'POST', json: { charge, currency: 'USD', quantity: '3' } }),
        400,
        /^invalid charge$/,
      );
      expect(preview.errors).toEqual([{ path: '/charge/prices/USD/tiers/0', message: 'must be object' }]);
      const document = parse(referenceCatalogYaml());
      document.plans[0].charges[1].prices.USD.tiers.unshift(null);
      for (const route of ['/v1/catalog/diff', '/v1/catalog']) {
        const refused = await expectProblem(await post(route, JSON.stringify(document)), 400, /is not a valid catalog/);
        expect(refused.errors).toEqual([{ path: '/plans/0/charges/1/prices/USD/tiers/0', message: 'must be object' }]);
      }
      await expectNothingStored();
    });

    it('null where the preview expects values: each named', async () => {
      const percentage = {
        key: 'fees',
        meter: 'payments',
        model: 'percentage',
        prices: { USD: {} },
        config: { rate: '1' },
      };
      const refused = await expectProblem(
        await t.request('/v1/rating/preview', {
          method: 'POST',
          json: { charge: percentage, currency: 'USD', quantity: '1', eventValues: [null, '1'] },
        }),
        400,
        /.+/,
      );
      expect(refused.errors).toEqual([expect.objectContaining({ path: '/eventValues/0' })]);
    });
  });

  describe('bytes that are not UTF-8', () => {
    const latin1 = (prefix: string, suffix: string) =>
      Buffer.concat([Buffer.from(prefix), Buffer.from([0xe9]), Buffer.from(suffix)]);

    it('on the Lago endpoints: refused as on /v1/events, never stored as caf\\uFFFD', async () => {
      const lago = latin1(
        '{"event":{"transaction_id":"tx-cafe","external_subscription_id":"s","code":"c","properties":{"name":"caf',
        '"}}}',
      );
      for (const path of ['/compat/lago/api/v1/events', '/compat/lago/api/v1/events/batch']) {
        const response = await post(
          path,
          path.endsWith('batch')
            ? latin1(
                '{"events":[{"transaction_id":"tx","external_subscription_id":"s","code":"c","properties":{"n":"caf',
                '"}}]}',
              )
            : lago,
        );
        expect(response.status).toBe(400);
        expect(await readJson(response)).toEqual({ status: 400, error: 'BadRequest: the body is not valid UTF-8' });
      }
      await expectNothingStored();
    });

    it("on every route that takes JSON (read from /openapi.json), OpenMeter's included: a 400", async () => {
      for (const operation of operations.filter((candidate) => 'application/json' in candidate.bodies)) {
        const path = operation.path.replace(/\{\w+\}/g, '1');
        const response = await t.request(path, {
          method: operation.method,
          headers: { 'content-type': 'application/json' },
          body: latin1('{"a":"caf', '"}'),
        });
        expect(response.status, operationName(operation)).toBe(400);
        expect(await response.text(), operationName(operation)).toMatch(/not valid UTF-8/);
      }
      await expectNothingStored();
    });
  });

  describe('decimals beyond what pricing holds exactly (60 significant digits)', () => {
    const sixtyOne = `1.${'0'.repeat(59)}1`;

    it('in a preview quantity and price, and in a catalog: a 400 saying the limit, never a silently rounded amount', async () => {
      const quantity = await expectProblem(
        await t.request('/v1/rating/preview', {
          method: 'POST',
          json: { charge: GRADUATED, currency: 'USD', quantity: sixtyOne },
        }),
        400,
        /too precise/,
      );
      expect(quantity.errors).toEqual([
        { path: '/quantity', message: 'has 61 significant digits; at most 60 can be held exactly' },
      ]);
      const charge = {
        ...GRADUATED,
        prices: {
          USD: {
            tiers: [
              { upTo: '5', unitPrice: sixtyOne },
              { upTo: null, unitPrice: '6' },
            ],
          },
        },
      };
      const price = await expectProblem(
        await t.request('/v1/rating/preview', { method: 'POST', json: { charge, currency: 'USD', quantity: '1' } }),
        400,
        /^invalid charge$/,
      );
      expect(price.errors).toEqual([
        {
          path: '/charge/prices/USD/tiers/0/unitPrice',
          message: 'has 61 significant digits; at most 60 can be held exactly',
        },
      ]);
      const document = parse(referenceCatalogYaml());
      document.taxRates[0].rate = sixtyOne;
      const catalog = await expectProblem(
        await post('/v1/catalog', JSON.stringify(document)),
        400,
        /is not a valid catalog/,
      );
      expect(catalog.errors).toEqual([
        { path: '/taxRates/0/rate', message: 'has 61 significant digits; at most 60 can be held exactly' },
      ]);
      // 60 digits price exactly.
      expect(
        (
          await t.request('/v1/rating/preview', {
            method: 'POST',
            json: { charge: GRADUATED, currency: 'USD', quantity: `1.${'0'.repeat(58)}1` },
          })
        ).status,
      ).toBe(200);
      await expectNothingStored();
    });

    it('in an event, a number JSON cannot carry exactly: that event is rejected rather than stored rounded', async () => {
      const body = JSON.stringify(cloudEvent({ data: { tokens: 1 } })).replace(
        '"tokens":1',
        '"tokens":12345678901234567890',
      );
      expect(await rejectedErrors(await post('/v1/events', body))).toEqual([
        {
          path: '/data/tokens',
          message: expect.stringMatching(
            /^is the number 12345678901234567890, which JSON cannot carry exactly \(it would be stored as 12345678901234567000\)/,
          ),
        },
      ]);
      await expectNothingStored();
    });
  });

  describe('values the validator lets through but a store cannot hold', () => {
    it('an integer parameter of "Infinity" (Ajv coerces it, past its maximum): a 400, not a 500', async () => {
      const refused = await expectProblem(
        await t.request('/v1/event-types/t/schemas/Infinity'),
        400,
        /\/params\/version must be a finite number/,
      );
      expect(refused.errors).toEqual([{ path: '/params/version', message: 'must be a finite number' }]);
    });

    it('a leap second and a year outside 0001-9999, in an event and in a filter: refused, not a 500', async () => {
      for (const [time, message] of [
        ['2016-12-31T23:59:60Z', /leap second/],
        ['0000-01-01T00:00:00Z', /years 0001 to 9999/],
      ] as const) {
        expect(await rejectedErrors(await post('/v1/events', JSON.stringify(cloudEvent({ time }))))).toEqual([
          { path: '/time', message: expect.stringMatching(message) },
        ]);
        await expectProblem(
          await t.request(`/v1/exceptions?from=${encodeURIComponent(time)}`),
          400,
          /invalid exception filter/,
        );
        await expectProblem(
          await t.request(`/v1/invoices?from=${encodeURIComponent(time)}`),
          400,
          /invalid invoice filter/,
        );
      }
      await expectNothingStored();
    });
  });
});
