import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../../../test/harness/events.js';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, testConfig, type TestApp } from '../../../../test/harness/test-app.js';
import { createApp } from '../../../main.js';
import { ManualClock } from '../../../platform/clock.js';

const NOW = '2026-11-01T00:00:00Z';
const TYPE = 'api.request';

const v1 = {
  type: 'object',
  properties: { model: { type: 'string' }, tokens: { type: 'integer', minimum: 0 } },
  required: ['model', 'tokens'],
};
// Backward compatible with v1: tokens widens from integer to number, and an optional field is added.
const v2 = {
  type: 'object',
  properties: { model: { type: 'string' }, tokens: { type: 'number', minimum: 0 }, region: { type: 'string' } },
  required: ['model', 'tokens'],
};

const schemaPath = (version: number | string, type = TYPE) =>
  `/v1/event-types/${encodeURIComponent(type)}/schemas/${version}`;

describeEachStore('event type schemas over HTTP', (stores) => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  const put = (
    version: number | string,
    schema: unknown,
    options: { type?: string; query?: string; key?: string } = {},
  ) =>
    t.request(`${schemaPath(version, options.type)}${options.query ?? ''}`, {
      method: 'PUT',
      json: schema,
      key: options.key,
    });
  const postEvents = (events: unknown[]) => t.request('/v1/events', { method: 'POST', json: events });
  const schemaVersionOf = async (id: string) => {
    const { rows } = await t.app.db.query<{ schema_version: number | null }>(
      'select schema_version from raw_events where id = $1',
      [id],
    );
    expect(rows).toHaveLength(1);
    return rows[0]?.schema_version;
  };

  // A fresh database per test: registrations are state that every test here depends on.
  beforeEach(async () => {
    clock.set(NOW);
    t = await startTestApp(stores, { clock });
  });
  afterEach(() => t.close());

  describe('PUT /v1/event-types/{type}/schemas/{version}', () => {
    it('registers a schema with 201 and answers the stored version', async () => {
      const response = await put(1, v1);
      expect(response.status).toBe(201);
      expect(await readJson(response)).toEqual({
        eventType: TYPE,
        version: 1,
        compatibility: 'backward',
        createdAt: '2026-11-01T00:00:00.000Z',
        schema: v1,
      });
    });

    it('answers 200 with the original registration when the same schema is sent again, even with its keys reordered', async () => {
      const first = await readJson(await put(1, v1));
      clock.set('2026-12-01T00:00:00Z');
      const reordered = {
        required: ['model', 'tokens'],
        properties: { tokens: v1.properties.tokens, model: v1.properties.model },
        type: 'object',
      };

      const again = await put(1, reordered);

      expect(again.status).toBe(200);
      expect(await readJson(again)).toEqual(first);
      const list = await readJson(await t.request(`/v1/event-types/${TYPE}/schemas`));
      expect(list.versions).toHaveLength(1);
    });

    it('answers 200 to a retry of an older version after a newer one was registered', async () => {
      await put(1, v1);
      await put(2, v2);
      const retry = await put(1, v1);
      expect(retry.status).toBe(200);
      expect(await readJson(retry)).toMatchObject({ version: 1, schema: v1 });
    });

    it('refuses another schema under an existing version with 409 and keeps the original', async () => {
      await put(1, v1);
      await expectProblem(await put(1, v2), 409, /version 1 is already registered with a different schema/);
      expect((await readJson(await t.request(schemaPath(1)))).schema).toEqual(v1);
    });

    it('refuses a version lower than the latest with 409', async () => {
      expect((await put(2, v1)).status).toBe(201);
      await expectProblem(await put(1, v1), 409, /versions only move forward: api.request is already at version 2/);
      expect((await t.request(schemaPath(1))).status).toBe(404);
    });

    it('refuses an invalid JSON Schema with 400, listing every error with its path', async () => {
      const schema = {
        type: 'object',
        properties: {
          model: { type: 'strin' },
          tokens: { type: 'number', colour: 'red' },
          region: { $ref: 'https://example.com/schemas/region.json' },
        },
      };
      const body = await expectProblem(await put(1, schema), 400, /not a valid JSON Schema/);
      expect(body.errors).toHaveLength(3);
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { path: '/properties/model/type', message: expect.stringContaining('must be one of "array"') },
          { path: '/properties/tokens/colour', message: expect.stringContaining('unknown keyword "colour"') },
          {
            path: '/properties/region/$ref',
            message: expect.stringContaining(
              'remote reference "https://example.com/schemas/region.json" is not allowed',
            ),
          },
        ]),
      );
      expect((await t.request(`/v1/event-types/${TYPE}/schemas`)).status).toBe(404);
    });

    it('refuses a schema whose top-level type is not object, since event data always is one', async () => {
      const body = await expectProblem(await put(1, { type: 'string' }), 400, /not a valid JSON Schema/);
      expect(body.errors).toEqual([{ path: '/type', message: expect.stringContaining('must be "object"') }]);
    });

    it('refuses a body that is not a JSON object with 400', async () => {
      for (const body of [[v1], 'a schema', 42, null]) {
        const response = await put(1, body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
      }
      expect((await t.request(`/v1/event-types/${TYPE}/schemas`)).status).toBe(404);
    });

    it('refuses a schema over 256 KiB with 400, and a body over the 1 MiB request limit with 413', async () => {
      const large = { type: 'object', properties: { pad: { type: 'string', description: 'x'.repeat(300 * 1024) } } };
      const body = await expectProblem(await put(1, large), 400, /not a valid JSON Schema/);
      expect(body.errors).toEqual([
        { path: '', message: expect.stringMatching(/a schema may be at most 262144 bytes/) },
      ]);

      const huge = { type: 'object', properties: { pad: { type: 'string', description: 'x'.repeat(1100 * 1024) } } };
      await expectProblem(await put(1, huge), 413, /.+/);
    });

    it('refuses a backward-incompatible version with 409 listing each breaking change with its path', async () => {
      await put(1, v1);
      // Given v1 requires model (string) and tokens; v2 changes model's type, drops tokens from required and requires a new field.
      const breaking = {
        type: 'object',
        properties: { model: { type: 'number' }, tokens: { type: 'integer' }, region: { type: 'string' } },
        required: ['model', 'region'],
      };

      const body = await expectProblem(
        await put(2, breaking),
        409,
        /version 2 is not backward compatible with version 1 \(3 breaking changes\)/,
      );

      expect(body.errors).toHaveLength(3);
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { path: '/properties/region', message: 'required field "region" was added' },
          { path: '/properties/model', message: 'field "model" changed type from string to number' },
          { path: '/properties/tokens', message: 'field "tokens" is no longer required' },
        ]),
      );
      expect((await t.request(schemaPath(2))).status).toBe(404);
    });

    it('registers the same breaking version with ?compatibility=none', async () => {
      await put(1, v1);
      const breaking = { type: 'object', properties: { model: { type: 'number' } }, required: ['model', 'region'] };
      const response = await put(2, breaking, { query: '?compatibility=none' });
      expect(response.status).toBe(201);
      expect(await readJson(response)).toMatchObject({ version: 2, compatibility: 'none', schema: breaking });
    });

    it('registers a compatible new version under the default compatibility', async () => {
      await put(1, v1);
      const response = await put(2, v2);
      expect(response.status).toBe(201);
      expect(await readJson(response)).toMatchObject({ version: 2, compatibility: 'backward' });
    });

    it('refuses an unknown compatibility value and unknown query parameters with 400', async () => {
      const body = await expectProblem(
        await put(1, v1, { query: '?compatibility=forward' }),
        400,
        /querystring is invalid/,
      );
      expect(body.errors).toEqual([
        { path: '/compatibility', message: expect.stringContaining('must be equal to one of the allowed values') },
      ]);
      await expectProblem(await put(1, v1, { query: '?compat=none' }), 400, /querystring is invalid/);
      expect((await t.request(`/v1/event-types/${TYPE}/schemas`)).status).toBe(404);
    });

    it('refuses version 0, a non-integer, a non-number and a version past 999999999 with 400 at /version', async () => {
      for (const version of ['0', '-1', '1.5', 'one', '1000000000', '99999999999999999999']) {
        const body = await expectProblem(await put(version, v1), 400, /params is invalid/);
        expect(body.errors, version).toEqual([{ path: '/version', message: expect.any(String) }]);
      }
      expect((await t.request(`/v1/event-types/${TYPE}/schemas`)).status).toBe(404);
    });

    it('refuses an event type with spaces with 400 at /type', async () => {
      const spaced = await expectProblem(await put(1, v1, { type: 'api request' }), 400, /invalid schema registration/);
      expect(spaced.errors).toEqual([{ path: '/type', message: expect.stringContaining('printable ASCII') }]);
    });

    it('refuses an event type over 256 characters', async () => {
      // 400 from the params schema, or 414 from the router's parameter length limit: either way nothing is stored.
      const response = await put(1, v1, { type: 'x'.repeat(257) });
      expect([400, 414]).toContain(response.status);
      expect(
        (await t.request('/v1/events', { method: 'POST', json: [cloudEvent({ type: 'x'.repeat(257) })] })).status,
      ).toBe(400);
    });

    // Known bug: Fastify's default maxParamLength (100) answers 414 for any type of 101-256 characters,
    // which the params schema, the service and ingestion all accept (server.ts sets no maxParamLength).
    it('registers and reads a schema for an event type of 256 characters, the longest ingestion accepts', async () => {
      const longType = `t.${'x'.repeat(254)}`;
      expect((await put(1, v1, { type: longType })).status).toBe(201);
      expect((await t.request(schemaPath(1, longType))).status).toBe(200);
      expect((await t.request(`/v1/event-types/${longType}/schemas`)).status).toBe(200);
    });

    it('needs an admin key: read, ingest and finance keys get 403, no key 401', async () => {
      for (const role of ['read', 'ingest', 'finance'] as const) {
        await expectProblem(
          await put(1, v1, { key: await t.keyFor(role) }),
          403,
          new RegExp(`role "${role}", which does not grant "admin"`),
        );
      }
      await expectProblem(await t.request(schemaPath(1), { method: 'PUT', json: v1, key: null }), 401, /API key/);
      expect((await t.request(`/v1/event-types/${TYPE}/schemas`)).status).toBe(404);
    });
  });

  describe('GET /v1/event-types/{type}/schemas and /schemas/{version}', () => {
    it('lists the versions in numeric order, without their schema bodies', async () => {
      await put(1, v1);
      clock.set('2026-11-02T00:00:00Z');
      await put(2, v2);
      clock.set('2026-11-03T00:00:00Z');
      await put(10, v2);

      const response = await t.request(`/v1/event-types/${TYPE}/schemas`);

      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({
        versions: [
          { eventType: TYPE, version: 1, compatibility: 'backward', createdAt: '2026-11-01T00:00:00.000Z' },
          { eventType: TYPE, version: 2, compatibility: 'backward', createdAt: '2026-11-02T00:00:00.000Z' },
          { eventType: TYPE, version: 10, compatibility: 'backward', createdAt: '2026-11-03T00:00:00.000Z' },
        ],
      });
    });

    it('answers 404 problem for a type with no schema', async () => {
      await expectProblem(
        await t.request('/v1/event-types/never.registered/schemas'),
        404,
        /no schema is registered for event type "never.registered"/,
      );
    });

    it('reads one version with its schema', async () => {
      await put(1, v1);
      await put(2, v2);
      const response = await t.request(schemaPath(1));
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({
        eventType: TYPE,
        version: 1,
        compatibility: 'backward',
        createdAt: '2026-11-01T00:00:00.000Z',
        schema: v1,
      });
    });

    it('answers 404 problem for a version that does not exist', async () => {
      await put(1, v1);
      await expectProblem(await t.request(schemaPath(2)), 404, /event type "api.request" has no schema version 2/);
      await expectProblem(await t.request(schemaPath(1, 'other.type')), 404, /has no schema version 1/);
    });

    it('needs read: an ingest key gets 403, a read key reads', async () => {
      await put(1, v1);
      const ingestKey = await t.keyFor('ingest');
      await expectProblem(
        await t.request(`/v1/event-types/${TYPE}/schemas`, { key: ingestKey }),
        403,
        /does not grant "read"/,
      );
      await expectProblem(await t.request(schemaPath(1), { key: ingestKey }), 403, /does not grant "read"/);
      const readKey = await t.keyFor('read');
      expect((await t.request(`/v1/event-types/${TYPE}/schemas`, { key: readKey })).status).toBe(200);
      expect((await t.request(schemaPath(1), { key: readKey })).status).toBe(200);
    });
  });

  describe('POST /v1/events against registered schemas', () => {
    it('rejects an event whose data violates the latest schema, naming each field under /data', async () => {
      await put(1, v1);
      const response = await postEvents([cloudEvent({ id: 'bad-data', data: { model: 7, tokens: -1, extra: true } })]);
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.accepted).toBe(0);
      expect(body.rejected).toHaveLength(1);
      expect(body.rejected[0].id).toBe('bad-data');
      expect(body.rejected[0].errors).toEqual(
        expect.arrayContaining([
          { path: '/data/model', message: 'must be string' },
          { path: '/data/tokens', message: 'must be >= 0' },
        ]),
      );
      expect(body.rejected[0].errors).toHaveLength(2);
    });

    it('validates against the latest version and records it in raw_events', async () => {
      await put(1, v1);
      await put(2, v2);
      // tokens 1.5 is a number (v2) but not an integer (v1).
      const response = await postEvents([cloudEvent({ id: 'latest', data: { model: 'small', tokens: 1.5 } })]);
      expect(await readJson(response)).toMatchObject({ accepted: 1, rejected: [] });
      expect(await schemaVersionOf('latest')).toBe(2);
    });

    it('validates against the version a dataschema names, even when a later version exists', async () => {
      await put(1, v1);
      await put(2, v2);
      const data = { model: 'small', tokens: 1.5 };

      const response = await postEvents([
        cloudEvent({ id: 'v1-uri', dataschema: 'https://example.com/schemas/api.request/1', data }),
        cloudEvent({ id: 'v1-prefixed', dataschema: 'https://example.com/schemas/api.request/v1', data }),
        cloudEvent({
          id: 'v1-valid',
          dataschema: 'https://example.com/schemas/api.request/v1',
          data: { model: 'small', tokens: 2 },
        }),
      ]);

      // Then both events with a fractional tokens fail v1, which v2 would have accepted.
      expect(response.status).toBe(207);
      const body = await readJson(response);
      expect(body.accepted).toBe(1);
      expect(body.rejected).toEqual([
        { index: 0, id: 'v1-uri', errors: [{ path: '/data/tokens', message: 'must be integer' }] },
        { index: 1, id: 'v1-prefixed', errors: [{ path: '/data/tokens', message: 'must be integer' }] },
      ]);
      expect(await schemaVersionOf('v1-valid')).toBe(1);
    });

    it('rejects at /dataschema an event naming a version that does not exist', async () => {
      await put(1, v1);
      const response = await postEvents([
        cloudEvent({ id: 'v3', dataschema: 'https://example.com/schemas/api.request/3' }),
      ]);
      expect(response.status).toBe(400);
      expect((await readJson(response)).rejected).toEqual([
        {
          index: 0,
          id: 'v3',
          errors: [
            { path: '/dataschema', message: 'event type "api.request" has no schema version 3; the latest is 1' },
          ],
        },
      ]);
    });

    it('rejects at /dataschema an event of a registered type whose dataschema names no version', async () => {
      await put(1, v1);
      const response = await postEvents([
        cloudEvent({ id: 'no-version', dataschema: 'https://example.com/schemas/api.request/latest' }),
      ]);
      expect(response.status).toBe(400);
      expect((await readJson(response)).rejected).toEqual([
        {
          index: 0,
          id: 'no-version',
          errors: [{ path: '/dataschema', message: expect.stringContaining('must name a registered schema version') }],
        },
      ]);
    });

    it('accepts events of an unknown type as telemetry, with no schema version', async () => {
      const response = await postEvents([
        cloudEvent({ id: 'telemetry', type: 'no.schema.yet', data: { anything: ['goes'] } }),
      ]);
      expect(response.status).toBe(200);
      expect(await readJson(response)).toMatchObject({ accepted: 1, rejected: [] });
      expect(await schemaVersionOf('telemetry')).toBeNull();
    });

    it('applies a schema registered after its type was used as telemetry to the very next event', async () => {
      // Given the type was seen without a schema (the process now remembers it as unknown).
      expect(await readJson(await postEvents([cloudEvent({ id: 'before', data: { model: 7 } })]))).toMatchObject({
        accepted: 1,
      });
      expect(await schemaVersionOf('before')).toBeNull();

      // When this process registers a schema for it.
      expect((await put(1, v1)).status).toBe(201);

      // Then the next event is checked against it at once, without waiting for the cache to expire.
      const response = await postEvents([cloudEvent({ id: 'after', data: { model: 7 } })]);
      expect(response.status).toBe(400);
      expect((await readJson(response)).rejected[0].errors).toEqual(
        expect.arrayContaining([
          { path: '/data/model', message: 'must be string' },
          { path: '/data/tokens', message: 'is required' },
        ]),
      );
    });

    it('reaches another process sharing the store once its latest-version cache expires (about a second)', async () => {
      // Given a second process on the same store that has seen the type without a schema.
      const other = await createApp(testConfig(), { db: t.app.db, clock });
      try {
        const before = await other.ingestion.ingest([
          { value: cloudEvent({ id: 'other-before', data: { model: 7 } }) },
        ]);
        expect(before.accepted).toBe(1);

        // When this process registers a schema, and the other's cache entry has had time to expire.
        expect((await put(1, v1)).status).toBe(201);
        await new Promise((resolve) => setTimeout(resolve, 1200));

        // Then the other process checks the type's events against it too.
        const after = await other.ingestion.ingest([{ value: cloudEvent({ id: 'other-after', data: { model: 7 } }) }]);
        expect(after.accepted).toBe(0);
        expect(after.rejected[0]?.errors).toContainEqual({ path: '/data/model', message: 'must be string' });
      } finally {
        await other.close();
      }
    });
  });
});

describeEachStore('event ingestion with unknownTypes: reject', (stores) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp(stores, { config: testConfig({}, { unknownTypes: 'reject' }) });
  });
  afterEach(() => t.close());

  it('rejects events of a type with no schema at /type, and accepts those of a registered type', async () => {
    expect((await t.request(schemaPath(1), { method: 'PUT', json: v1 })).status).toBe(201);

    const response = await t.request('/v1/events', {
      method: 'POST',
      json: [
        cloudEvent({ id: 'unknown', type: 'no.schema' }),
        cloudEvent({ id: 'known', data: { model: 'small', tokens: 1 } }),
      ],
    });

    expect(response.status).toBe(207);
    const body = await readJson(response);
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      {
        index: 0,
        id: 'unknown',
        errors: [{ path: '/type', message: 'no schema is registered for event type "no.schema"' }],
      },
    ]);
  });
});
