import { afterEach, beforeEach, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import { referenceCatalogYaml } from '../../../../test/fixtures/reference-catalog.js';
import { insertUsage } from '../../../../test/fixtures/usage-records.js';

const RANGE = 'from=2026-10-01T00:00:00Z&to=2026-10-01T03:00:00Z';

describeEachStore('usage over HTTP', (stores) => {
  let t: TestApp;
  const applyCatalog = async () => {
    const response = await t.request('/v1/catalog', {
      method: 'POST',
      body: referenceCatalogYaml(),
      headers: { 'content-type': 'application/yaml' },
    });
    expect(response.status).toBe(201);
  };

  beforeEach(async () => {
    t = await startTestApp(stores);
  });
  afterEach(() => t.close());

  it('answers usage per window and group with exact values (200)', async () => {
    await applyCatalog();
    await insertUsage(t.app.db, [
      { meter: 'api_calls', time: '2026-10-01T00:10:00Z', customer: 'acme', dimensions: { region: 'eu' } },
      { meter: 'api_calls', time: '2026-10-01T00:20:00Z', customer: 'acme', dimensions: { region: 'us' } },
      { meter: 'api_calls', time: '2026-10-01T02:20:00Z', customer: 'acme', dimensions: { region: 'eu' } },
      { meter: 'support_hours', time: '2026-10-01T00:10:00Z', customer: 'globex', value: '0.1' },
      { meter: 'support_hours', time: '2026-10-01T00:50:00Z', customer: 'globex', value: '0.2' },
    ]);
    const response = await t.request(`/v1/usage?meter=api_calls&${RANGE}&window=hour&group_by=region&customer=acme`, {
      key: await t.keyFor('read'),
    });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toEqual({
      meter: 'api_calls',
      aggregation: 'count',
      unit: 'request',
      customer: 'acme',
      from: '2026-10-01T00:00:00.000Z',
      to: '2026-10-01T03:00:00.000Z',
      window: 'hour',
      tz: 'UTC',
      groupBy: ['region'],
      rows: [
        {
          windowStart: '2026-10-01T00:00:00.000Z',
          windowEnd: '2026-10-01T01:00:00.000Z',
          groups: { region: 'eu' },
          value: '1',
        },
        {
          windowStart: '2026-10-01T00:00:00.000Z',
          windowEnd: '2026-10-01T01:00:00.000Z',
          groups: { region: 'us' },
          value: '1',
        },
        {
          windowStart: '2026-10-01T01:00:00.000Z',
          windowEnd: '2026-10-01T02:00:00.000Z',
          groups: { region: 'eu' },
          value: '0',
        },
        {
          windowStart: '2026-10-01T01:00:00.000Z',
          windowEnd: '2026-10-01T02:00:00.000Z',
          groups: { region: 'us' },
          value: '0',
        },
        {
          windowStart: '2026-10-01T02:00:00.000Z',
          windowEnd: '2026-10-01T03:00:00.000Z',
          groups: { region: 'eu' },
          value: '1',
        },
        {
          windowStart: '2026-10-01T02:00:00.000Z',
          windowEnd: '2026-10-01T03:00:00.000Z',
          groups: { region: 'us' },
          value: '0',
        },
      ],
    });
    const sum = await readJson(
      await t.request(`/v1/usage?meter=support_hours&${RANGE}&tz=Europe%2FBerlin&group_by=customer`),
    );
    expect(sum).toMatchObject({ aggregation: 'sum', unit: 'hour', window: null, tz: 'Europe/Berlin', customer: null });
    expect(sum.rows).toEqual([
      {
        windowStart: '2026-10-01T00:00:00.000Z',
        windowEnd: '2026-10-01T03:00:00.000Z',
        groups: { customer: 'globex' },
        value: '0.3',
      },
    ]);
  });

  it('refuses a bad query with 400 listing every error', async () => {
    await applyCatalog();
    const response = await t.request(
      '/v1/usage?meter=nope&from=2026-10-02T00:00:00Z&to=2026-10-01T00:00:00Z&window=week&tz=Nowhere&group_by=customer,customer',
    );
    const body = await expectProblem(response, 400, /the usage query is invalid/);
    expect(body.errors).toEqual([
      {
        path: '/query/meter',
        message: expect.stringMatching(
          /^the current catalog has no meter "nope"; its meters are api_calls, storage_gb, support_hours$/,
        ),
      },
      { path: '/query/to', message: 'must be later than from: the range is [from, to)' },
      { path: '/query/window', message: expect.stringMatching(/^must be one of minute, hour, day, month/) },
      { path: '/query/tz', message: expect.stringMatching(/"Nowhere" is not an IANA time zone name/) },
      { path: '/query/group_by', message: 'names "customer" more than once' },
    ]);
    const missing = await expectProblem(await t.request('/v1/usage'), 400, /the usage query is invalid/);
    expect(missing.errors.map((error: { path: string }) => error.path)).toEqual([
      '/query/meter',
      '/query/from',
      '/query/to',
    ]);
    const tooMany = await expectProblem(
      await t.request('/v1/usage?meter=api_calls&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&window=minute'),
      400,
      /invalid/,
    );
    expect(tooMany.errors).toEqual([
      { path: '/query/window', message: expect.stringContaining('is 525600 windows; at most 10000') },
    ]);
  });

  it('refuses an unknown query parameter and a repeated one with 400', async () => {
    await applyCatalog();
    const unknown = await expectProblem(
      await t.request(`/v1/usage?meter=api_calls&${RANGE}&limit=5`),
      400,
      /querystring is invalid/,
    );
    expect(unknown.errors).toEqual([{ path: '', message: 'must NOT have additional properties' }]);
    await expectProblem(
      await t.request(`/v1/usage?meter=api_calls&meter=storage_gb&${RANGE}`),
      400,
      /querystring is invalid/,
    );
  });

  it('answers 404 before any catalog is applied', async () => {
    await expectProblem(await t.request(`/v1/usage?meter=api_calls&${RANGE}`), 404, /no catalog has been applied yet/);
  });

  it('needs read: no key 401, an ingest key 403', async () => {
    await applyCatalog();
    await expectProblem(await t.request(`/v1/usage?meter=api_calls&${RANGE}`, { key: null }), 401, /API key/);
    await expectProblem(
      await t.request(`/v1/usage?meter=api_calls&${RANGE}`, { key: await t.keyFor('ingest') }),
      403,
      /does not grant "read"/,
    );
  });

  it('publishes the operation in /openapi.json', async () => {
    const document = await readJson(await t.request('/openapi.json'));
    const operation = document.paths['/v1/usage'].get;
    expect(operation.tags).toEqual(['usage']);
    expect(operation.parameters.map((parameter: { name: string }) => parameter.name)).toEqual([
      'meter',
      'customer',
      'from',
      'to',
      'window',
      'tz',
      'group_by',
    ]);
  });
});
