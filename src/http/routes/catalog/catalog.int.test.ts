import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import { referenceCatalogYaml } from '../../../../test/fixtures/reference-catalog.js';
import { supportSession } from '../../../../test/fixtures/metering.js';
import { ManualClock } from '../../../platform/clock.js';

const NOW = '2026-11-01T00:00:00Z';
const YAML = referenceCatalogYaml();
const JSON_TEXT = JSON.stringify(parse(YAML));
const KINDS = { 'legal-entities': 2, customers: 2, 'tax-rates': 2, meters: 3, plans: 1, subscriptions: 2 } as const;

describeEachStore('catalog over HTTP', (stores) => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  const send = (path: string, text: string, contentType: string, key?: string | null) =>
    t.request(path, { method: 'POST', body: text, headers: { 'content-type': contentType }, key });
  const apply = (text: string, contentType = 'application/yaml', key?: string | null) =>
    send('/v1/catalog', text, contentType, key);
  const diff = (text: string, contentType = 'application/yaml', key?: string | null) =>
    send('/v1/catalog/diff', text, contentType, key);

  // A fresh database per test: catalog versions are state every test here depends on.
  beforeEach(async () => {
    clock.set(NOW);
    t = await startTestApp(stores, { clock });
  });
  afterEach(() => t.close());

  describe('POST /v1/catalog/diff and POST /v1/catalog', () => {
    it('diffs then applies the reference catalog as YAML, and the same content as JSON is unchanged (200)', async () => {
      const before = await diff(YAML);
      expect(before.status).toBe(200);
      const beforeBody = await readJson(before);
      expect(beforeBody).toMatchObject({ baseVersion: null, changed: true, refusals: [] });
      expect(beforeBody.diff.customers).toEqual({ added: ['acme', 'globex'], removed: [], changed: [] });
      expect(beforeBody.diff.legalEntities.added).toEqual(['EU', 'US']);

      const applied = await apply(YAML);
      expect(applied.status).toBe(201);
      const appliedBody = await readJson(applied);
      const adminKeyId = (await t.app.access.authenticate(t.adminKey))?.id;
      expect(appliedBody).toEqual({
        created: true,
        version: 1,
        appliedAt: '2026-11-01T00:00:00.000Z',
        appliedBy: `api-key:${adminKeyId}`,
        checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
        diff: beforeBody.diff,
      });

      // Then the same catalog as JSON compares equal and applies as no change.
      const jsonDiff = await readJson(await diff(JSON_TEXT, 'application/json'));
      expect(jsonDiff).toMatchObject({ baseVersion: 1, changed: false, refusals: [] });
      clock.set('2026-11-02T00:00:00Z');
      const again = await apply(JSON_TEXT, 'application/json; charset=utf-8');
      expect(again.status).toBe(200);
      expect(await readJson(again)).toEqual({ ...appliedBody, created: false });
    });

    it('applies JSON first, then the YAML is unchanged; application/x-yaml and text/yaml are YAML too', async () => {
      expect((await apply(JSON_TEXT, 'application/json')).status).toBe(201);
      for (const type of ['application/yaml', 'application/x-yaml', 'text/yaml']) {
        const response = await apply(YAML, type);
        expect(response.status, type).toBe(200);
        expect(await readJson(response), type).toMatchObject({ created: false, version: 1 });
      }
    });

    it('applies a changed catalog as version 2 with its diff', async () => {
      await apply(YAML);
      clock.set('2026-11-02T00:00:00Z');
      const renamed = YAML.replace('name: Acme Corporation', 'name: Acme Corp.');
      const response = await apply(renamed);
      expect(response.status).toBe(201);
      const body = await readJson(response);
      expect(body).toMatchObject({ created: true, version: 2, appliedAt: '2026-11-02T00:00:00.000Z' });
      expect(body.diff.customers).toEqual({
        added: [],
        removed: [],
        changed: [{ key: 'acme', changes: [{ path: '/name', old: 'Acme Corporation', new: 'Acme Corp.' }] }],
      });
    });

    it('refuses a definition change without a later effectiveFrom for a meter with usage (409; diff lists it), not for one without', async () => {
      await apply(YAML);
      const changed = YAML.replace('valuePath: duration_hours', 'valuePath: duration.hours');
      expect((await readJson(await diff(changed))).refusals).toEqual([]);
      await t.app.ingestion.ingest([{ value: supportSession('acme', '2026-10-05T00:00:00Z', { duration_hours: 1 }) }]);
      await t.app.metering.stage.runUntilCaughtUp();
      // storage_gb has no usage yet: its history is empty, so there is nothing to rewrite.
      expect(
        (await readJson(await diff(YAML.replace('valuePath: usage.gigabytes', 'valuePath: usage.gb')))).refusals,
      ).toEqual([]);
      const preview = await readJson(await diff(changed));
      expect(preview.changed).toBe(true);
      expect(preview.refusals).toEqual([expect.objectContaining({ path: expect.stringContaining('/meters/') })]);

      const body = await expectProblem(
        await apply(changed),
        409,
        /changes the definition of 1 meter without a later effectiveFrom/,
      );
      expect(body.errors).toEqual(preview.refusals);
      expect((await readJson(await t.request('/v1/catalog'))).version).toBe(1);
    });

    it('refuses a YAML file with a duplicate key with 400 naming file:line:column', async () => {
      const duplicated = YAML.replace(
        'apiVersion: meterbridge/v1\n',
        'apiVersion: meterbridge/v1\napiVersion: meterbridge/v1\n',
      );
      const body = await expectProblem(await apply(duplicated), 400, /catalog\.yaml cannot be parsed/);
      expect(body.errors).toEqual([
        { path: '', message: expect.stringMatching(/^catalog\.yaml:\d+:\d+: duplicate key/) },
      ]);
      await expectProblem(await diff(duplicated), 400, /catalog\.yaml cannot be parsed/);
      await expectProblem(await t.request('/v1/catalog'), 404, /no catalog has been applied yet/);
    });

    it('refuses invalid JSON with 400 naming catalog.json, and a duplicate JSON key with its line and column', async () => {
      // V8's messages for some syntax errors carry no position, so only the file name is certain here.
      const syntax = await expectProblem(
        await apply('{\n  "apiVersion": meterbridge\n}', 'application/json'),
        400,
        /catalog\.json is not valid JSON/,
      );
      expect(syntax.errors).toEqual([{ path: '', message: expect.stringMatching(/^catalog\.json(:\d+:\d+)?: /) }]);

      const duplicated = JSON_TEXT.replace('{"apiVersion"', '{"customers":[],"apiVersion"');
      const body = await expectProblem(
        await apply(duplicated, 'application/json'),
        400,
        /catalog\.json cannot be parsed/,
      );
      expect(body.errors).toEqual([
        { path: '', message: expect.stringMatching(/^catalog\.json:1:\d+: duplicate key/) },
      ]);
    });

    it('refuses a catalog with dangling references with 400 listing every error with its path', async () => {
      const dangling = YAML.replace('plan: growth', 'plan: enterprise').replace('legalEntity: EU', 'legalEntity: APAC');
      const body = await expectProblem(await apply(dangling), 400, /catalog\.yaml is not a valid catalog/);
      expect(body.errors).toEqual(
        expect.arrayContaining([
          {
            path: '/subscriptions/0/plan',
            message: expect.stringContaining('"enterprise", which the catalog does not declare'),
          },
          {
            path: '/customers/1/legalEntity',
            message: expect.stringContaining('"APAC", which the catalog does not declare'),
          },
        ]),
      );
      await expectProblem(await t.request('/v1/catalog'), 404, /no catalog has been applied yet/);
    });

    it('refuses "__proto__" in a JSON body with 400', async () => {
      const polluted = JSON_TEXT.replace('{"apiVersion"', '{"__proto__":{"polluted":true},"apiVersion"');
      const body = await expectProblem(await apply(polluted, 'application/json'), 400, /catalog\.json/);
      expect(body.errors).toEqual([{ path: '/__proto__', message: 'is not allowed' }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses other content types and charsets with 415, and a body without a content type', async () => {
      await expectProblem(await apply(YAML, 'text/plain'), 415, /.+/);
      await expectProblem(await apply(JSON_TEXT, 'application/json; charset=latin1'), 415, /only UTF-8/);
      await expectProblem(await t.request('/v1/catalog', { method: 'POST' }), 415, /is not accepted/);
      await expectProblem(await t.request('/v1/catalog'), 404, /no catalog has been applied yet/);
    });

    it('refuses a body that is not UTF-8 with 400', async () => {
      const latin1 = Buffer.concat([
        Buffer.from(YAML.replace('name: Acme Corporation', 'name: Acme ')),
        Buffer.from([0xe9, 0x0a]),
      ]);
      const response = await t.request('/v1/catalog', {
        method: 'POST',
        body: latin1,
        headers: { 'content-type': 'application/yaml' },
      });
      await expectProblem(response, 400, /not valid UTF-8/);
    });

    it('refuses a body over the 1 MiB limit with 413', async () => {
      const padded = `${YAML}\n# ${'x'.repeat(1100 * 1024)}\n`;
      await expectProblem(await apply(padded), 413, /.+/);
      await expectProblem(await diff(padded), 413, /.+/);
    });

    it('needs admin to diff or apply: read, ingest and finance keys get 403, no key 401', async () => {
      for (const role of ['read', 'ingest', 'finance'] as const) {
        const key = await t.keyFor(role);
        await expectProblem(
          await apply(YAML, 'application/yaml', key),
          403,
          new RegExp(`role "${role}", which does not grant "admin"`),
        );
        await expectProblem(await diff(YAML, 'application/yaml', key), 403, /does not grant "admin"/);
      }
      await expectProblem(await apply(YAML, 'application/yaml', null), 401, /API key/);
      await expectProblem(await t.request('/v1/catalog'), 404, /no catalog has been applied yet/);
    });
  });

  describe('GET /v1/catalog, /versions/{version}, /{kind} and /{kind}/{key}', () => {
    it('answers 404 problems before any apply', async () => {
      await expectProblem(await t.request('/v1/catalog'), 404, /no catalog has been applied yet/);
      await expectProblem(await t.request('/v1/catalog/customers'), 404, /no catalog has been applied yet/);
      await expectProblem(await t.request('/v1/catalog/customers/acme'), 404, /no catalog has been applied yet/);
      await expectProblem(await t.request('/v1/catalog/versions/1'), 404, /there is no catalog version 1/);
    });

    it('reads the current version with its catalog', async () => {
      const applied = await readJson(await apply(YAML));
      const response = await t.request('/v1/catalog');
      expect(response.status).toBe(200);
      const body = await readJson(response);
      expect(body).toEqual({
        version: 1,
        appliedAt: applied.appliedAt,
        appliedBy: applied.appliedBy,
        checksum: applied.checksum,
        catalog: expect.any(Object),
      });
      expect(body.catalog).toMatchObject({
        apiVersion: 'meterbridge/v1',
        customers: [{ key: 'acme' }, { key: 'globex' }],
      });
      expect(body.catalog.meters[0].allowNegative).toBe(false);
    });

    it('reads each version with its diff, and 404 or 400 for others', async () => {
      await apply(YAML);
      await apply(YAML.replace('name: Acme Corporation', 'name: Acme Corp.'));
      const first = await readJson(await t.request('/v1/catalog/versions/1'));
      expect(first).toMatchObject({ version: 1, catalog: { customers: [{ name: 'Acme Corporation' }, {}] } });
      expect(first.diff.customers.added).toEqual(['acme', 'globex']);
      const second = await readJson(await t.request('/v1/catalog/versions/2'));
      expect(second.diff.customers.changed).toEqual([
        { key: 'acme', changes: [{ path: '/name', old: 'Acme Corporation', new: 'Acme Corp.' }] },
      ]);
      expect((await readJson(await t.request('/v1/catalog'))).version).toBe(2);
      await expectProblem(await t.request('/v1/catalog/versions/3'), 404, /there is no catalog version 3/);
      await expectProblem(await t.request('/v1/catalog/versions/0'), 400, /params is invalid/);
      await expectProblem(await t.request('/v1/catalog/versions/one'), 400, /params is invalid/);
    });

    it('lists the objects of each kind and reads one object by key (a legal entity by code)', async () => {
      await apply(YAML);
      for (const [kind, count] of Object.entries(KINDS)) {
        const response = await t.request(`/v1/catalog/${kind}`);
        expect(response.status, kind).toBe(200);
        const body = await readJson(response);
        expect(body.version, kind).toBe(1);
        expect(body.kind, kind).toBe(kind);
        expect(body.items, kind).toHaveLength(count);
      }
      const customer = await readJson(await t.request('/v1/catalog/customers/acme'));
      expect(customer).toEqual({
        version: 1,
        kind: 'customers',
        key: 'acme',
        object: expect.objectContaining({
          key: 'acme',
          name: 'Acme Corporation',
          legalEntity: 'US',
          aliases: ['acct_1001', 'acct_1002'],
        }),
      });
      expect(await readJson(await t.request('/v1/catalog/legal-entities/EU'))).toMatchObject({
        key: 'EU',
        object: { code: 'EU', currency: 'EUR' },
      });
      expect(await readJson(await t.request('/v1/catalog/tax-rates/US-CA'))).toEqual({
        version: 1,
        kind: 'tax-rates',
        key: 'US-CA',
        object: { region: 'US-CA', rate: '7.25', name: 'California sales tax' },
      });
      expect(await readJson(await t.request('/v1/catalog/plans/growth'))).toMatchObject({
        object: { charges: [{ key: 'platform_fee' }, {}, {}, {}] },
      });
    });

    it('answers 404 naming the kind and key for a missing object, and for an unknown kind', async () => {
      await apply(YAML);
      await expectProblem(
        await t.request('/v1/catalog/customers/nobody'),
        404,
        /catalog version 1 has no customers object "nobody"/,
      );
      await expectProblem(await t.request('/v1/catalog/meters/acme'), 404, /has no meters object "acme"/);
      await expectProblem(
        await t.request('/v1/catalog/widgets'),
        404,
        /no catalog kind "widgets"; the kinds are legal-entities, customers, tax-rates, meters, plans, subscriptions/,
      );
      await expectProblem(await t.request('/v1/catalog/tax-rates/GB'), 404, /has no tax-rates object "GB"/);
      await expectProblem(await t.request('/v1/catalog/legalEntities/US'), 404, /no catalog kind "legalEntities"/);
      await expectProblem(await t.request('/v1/catalog/__proto__'), 404, /no catalog kind "__proto__"/);
    });

    it('needs read: an ingest key gets 403, no key 401, a read key reads', async () => {
      await apply(YAML);
      const ingestKey = await t.keyFor('ingest');
      for (const path of [
        '/v1/catalog',
        '/v1/catalog/versions/1',
        '/v1/catalog/customers',
        '/v1/catalog/customers/acme',
      ]) {
        await expectProblem(await t.request(path, { key: ingestKey }), 403, /does not grant "read"/);
        await expectProblem(await t.request(path, { key: null }), 401, /API key/);
      }
      const readKey = await t.keyFor('read');
      expect((await t.request('/v1/catalog', { key: readKey })).status).toBe(200);
      expect((await t.request('/v1/catalog/customers/acme', { key: readKey })).status).toBe(200);
    });
  });

  it('publishes every catalog operation in /openapi.json, tagged catalog and secured by bearer', async () => {
    const document = await readJson(await t.request('/openapi.json'));
    const operations: [string, string][] = [
      ['/v1/catalog/diff', 'post'],
      ['/v1/catalog', 'post'],
      ['/v1/catalog', 'get'],
      ['/v1/catalog/versions/{version}', 'get'],
      ['/v1/catalog/{kind}', 'get'],
      ['/v1/catalog/{kind}/{key}', 'get'],
    ];
    for (const [path, method] of operations) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toMatchObject({
        tags: ['catalog'],
        security: [{ bearer: [] }],
        summary: expect.any(String),
      });
    }
    expect(Object.keys(document.paths['/v1/catalog'].post.requestBody.content)).toEqual([
      'application/yaml',
      'application/x-yaml',
      'text/yaml',
      'application/json',
    ]);
    expect(document.paths['/v1/catalog'].post.responses).toHaveProperty('409');
  });
});
