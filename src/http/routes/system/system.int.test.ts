import { afterEach, beforeEach, expect, it } from 'vitest';
import { cloudEvent } from '../../../../test/harness/events.js';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';

const SCHEMA_URL = '/v1/event-types/api.request/schemas/1';

describeEachStore('operations endpoints and HTTP edge cases', (stores) => {
  let t: TestApp;
  const putSchemaText = (body: string) =>
    t.request(SCHEMA_URL, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });

  beforeEach(async () => {
    t = await startTestApp(stores);
  });
  afterEach(() => t.close());

  it('answers /healthz with 200 without an API key', async () => {
    const response = await t.request('/healthz', { key: null });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 and every check ok on a migrated store', async () => {
    const response = await t.request('/readyz', { key: null });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toEqual({ status: 'ok', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('answers /readyz with 503 naming the pending migration when the store is behind the build', async () => {
    // Given a store that lacks a migration this build ships (this test's own schema, so nothing else sees it).
    await t.app.db.query('delete from schema_migrations where version = 1');

    const response = await t.request('/readyz', { key: null });

    expect(response.status).toBe(503);
    expect(await readJson(response)).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', migrations: 'pending: 0001_init.sql' },
    });
  });

  it('serves Prometheus text with the ingestion, HTTP and prefixed process metrics', async () => {
    await t.request('/v1/events', { method: 'POST', json: [cloudEvent({ type: 'system.probe' })] });
    await t.request('/healthz', { key: null });

    const response = await t.request('/metrics', { key: null });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toMatch(/^# TYPE meterbridge_ingested_events_total counter$/m);
    expect(text).toMatch(/^meterbridge_ingested_events_total\{type="system.probe",outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^# TYPE meterbridge_ingest_batch_size histogram$/m);
    expect(text).toMatch(/^meterbridge_ingest_batch_size_count 1$/m);
    expect(text).toMatch(/^# TYPE meterbridge_http_request_duration_seconds histogram$/m);
    expect(text).toMatch(
      /^meterbridge_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} 1$/m,
    );
    expect(text).toMatch(/^meterbridge_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^meterbridge_nodejs_heap_size_used_bytes \d/m);
    const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((name) => !name?.startsWith('meterbridge_'))).toEqual([]);
  });

  it('labels request latency by route pattern, never by the raw URL', async () => {
    await t.request('/v1/event-types/some.type/schemas/7');
    await t.request('/no/such/route/12345', { key: null });
    const text = await (await t.request('/metrics', { key: null })).text();
    expect(text).toContain('route="/v1/event-types/:type/schemas/:version"');
    expect(text).not.toContain('some.type');
    expect(text).not.toContain('12345');
  });

  it('publishes an OpenAPI 3 document listing every route, with a bearer security scheme', async () => {
    const response = await t.request('/openapi.json', { key: null });
    expect(response.status).toBe(200);
    const api = await readJson(response);
    expect(api.openapi).toMatch(/^3\./);
    expect(Object.keys(api.paths).sort()).toEqual(
      [
        '/v1/events',
        '/v1/event-types/{type}/schemas/{version}',
        '/v1/event-types/{type}/schemas',
        '/v1/catalog',
        '/v1/catalog/diff',
        '/v1/catalog/versions/{version}',
        '/v1/catalog/{kind}',
        '/v1/catalog/{kind}/{key}',
        '/v1/usage',
        '/v1/exceptions',
        '/v1/exceptions/{id}',
        '/v1/exceptions/ignore',
        '/v1/exceptions/reprocess',
        '/v1/replays',
        '/v1/metering/status',
        '/v1/rating/preview',
        '/v1/billing-runs',
        '/v1/invoices',
        '/v1/invoices/{id}',
        '/v1/invoices/{id}/finalize',
        '/v1/invoices/finalize-due',
        '/v1/invoices/{id}/lines/{line}/events',
        '/v1/credits',
        '/v1/credits/{subscription}/{credit}',
        '/v1/postings',
        '/v1/postings/preview',
        '/v1/postings/{id}',
        '/v1/postings/{id}/retry',
        '/v1/postings/{id}/cancel',
        '/v1/posting-targets',
        '/v1/reconciliations',
        '/v1/reconciliations/{id}',
        '/v1/reconciliations/{id}/mismatches/{seq}/repair',
        '/v1/lineage',
        '/v1/alerts',
        '/v1/alerts/evaluate',
        '/v1/service-levels',
        '/v1/api-keys',
        '/v1/api-keys/{id}/revoke',
        '/compat/openmeter/api/v1/events',
        '/compat/lago/api/v1/events',
        '/compat/lago/api/v1/events/batch',
        '/healthz',
        '/readyz',
        '/metrics',
      ].sort(),
    );
    expect(Object.keys(api.paths['/v1/event-types/{type}/schemas/{version}']).sort()).toEqual(['get', 'put']);
    expect(api.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(api.paths['/v1/events'].post.security).toEqual([{ bearer: [] }]);
    expect(api.paths['/v1/event-types/{type}/schemas/{version}'].put.security).toEqual([{ bearer: [] }]);
    expect(api.paths['/healthz'].get.security).toBeUndefined();
  });

  it('serves the API documentation as an HTML page at /docs', async () => {
    const response = await t.request('/docs', { key: null, redirect: 'follow' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/<html[\s\S]*swagger-ui/i);
  });

  it('answers an unknown route with a 404 problem naming it without its query', async () => {
    const body = await expectProblem(
      await t.request('/v1/nothing-here?secret=1', { key: null }),
      404,
      /^no route GET \/v1\/nothing-here$/,
    );
    expect(body.instance).toBe('/v1/nothing-here');
  });

  it('answers a known path with a method it does not serve with a 404 or 405 problem', async () => {
    for (const [method, path] of [
      ['DELETE', '/v1/events'],
      ['PATCH', '/healthz'],
      ['POST', SCHEMA_URL],
    ]) {
      const response = await t.request(path as string, { method });
      expect([404, 405], `${method} ${path}`).toContain(response.status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('answers a malformed JSON body on the schema PUT with a 400 problem, not a 500', async () => {
    await expectProblem(await putSchemaText('{"type": "object", "properties": '), 400, /not valid JSON/);
    await expectProblem(await putSchemaText(''), 400, /empty/);
    expect((await t.request(SCHEMA_URL)).status).toBe(404);
  });

  it('refuses __proto__ anywhere in a schema PUT body with a 400 problem and stores nothing', async () => {
    await expectProblem(await putSchemaText('{"type": "object", "__proto__": {"type": "string"}}'), 400, /.+/);
    await expectProblem(
      await putSchemaText('{"type": "object", "properties": {"__proto__": {"type": "string"}}}'),
      400,
      /.+/,
    );
    expect((await t.request(SCHEMA_URL)).status).toBe(404);
  });

  // Known bug: server.ts sets no `frameworkErrors`, so Fastify answers router-level errors (a bad
  // percent-encoding, FST_ERR_BAD_URL; a parameter over maxParamLength, FST_ERR_MAX_PARAM_LENGTH)
  // itself, with plain application/json and Fastify's own body instead of a problem.
  it('answers a malformed percent-encoding in the path with a 400 problem', async () => {
    await expectProblem(await t.request('/v1/event-types/%zz/schemas/1'), 400, /.+/);
  });
});
