import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson, type Json } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import { referenceCatalogYaml } from '../../../../test/fixtures/reference-catalog.js';
import { apiRequest, ingestAll, supportSession } from '../../../../test/fixtures/metering.js';
import { ManualClock } from '../../../platform/clock.js';

const NOW = '2026-11-01T00:00:00Z';
// The reference catalog with acct_9999 as another alias of acme: the fix for an unknown subject.
const WITH_ALIAS = referenceCatalogYaml().replace(
  'aliases: [acct_1001, acct_1002]',
  'aliases: [acct_1001, acct_1002, acct_9999]',
);

describeEachStore('metering exceptions over HTTP', (stores) => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  const post = (path: string, json: unknown, key?: string | null) => t.request(path, { method: 'POST', json, key });
  const list = async (query = '') => readJson(await t.request(`/v1/exceptions${query}`));
  const auditRows = async () =>
    (
      await t.app.db.query<{ actor: string; action: string; target: string; detail: Json }>(
        'select actor, action, target, detail from audit_log order by id',
      )
    ).rows;
  const usageOf = async (subjectEventId: string) =>
    (
      await t.app.db.query(
        `select u.meter_key, u.customer_key from usage_records u join raw_events r on r.seq = u.event_seq where r.id = $1`,
        [subjectEventId],
      )
    ).rows;

  // Given: the reference catalog and four metered events — two unknown subjects, a negative value, one good.
  const events = [
    apiRequest('acct_9999', '2026-10-10T10:00:00Z'),
    apiRequest('acct_8888', '2026-10-11T10:00:00Z'),
    supportSession('acme', '2026-10-12T00:00:00Z', { duration_hours: -2 }),
    apiRequest('acct_1001', '2026-10-13T10:00:00Z'),
  ];
  let ids: { unknown9999: string; unknown8888: string; negative: string };
  let adminKeyId: string;

  beforeEach(async () => {
    clock.set(NOW);
    t = await startTestApp(stores, { clock });
    adminKeyId = (await t.app.access.authenticate(t.adminKey))?.id as string;
    await t.app.catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'test');
    await ingestAll(t.app, events);
    await t.app.metering.stage.runUntilCaughtUp();
    const page = await list();
    const idOf = (event: Record<string, unknown>) =>
      page.items.find((item: Json) => item.event.id === event.id)?.id as string;
    ids = {
      unknown9999: idOf(events[0] as Record<string, unknown>),
      unknown8888: idOf(events[1] as Record<string, unknown>),
      negative: idOf(events[2] as Record<string, unknown>),
    };
  });
  afterEach(() => t.close());

  describe('GET /v1/exceptions and GET /v1/exceptions/:id', () => {
    it('lists the open exceptions with their reason, detail and the event they are about', async () => {
      const page = await list();
      expect(page.next).toBeNull();
      expect(page.items.map((item: Json) => [item.reason, item.status, item.meter])).toEqual([
        ['unknown_subject', 'open', 'api_calls'],
        ['unknown_subject', 'open', 'api_calls'],
        ['negative_value', 'open', 'support_hours'],
      ]);
      expect(page.items[0]).toEqual({
        id: ids.unknown9999,
        reason: 'unknown_subject',
        detail: 'subject "acct_9999" is no customer\'s key or alias',
        status: 'open',
        meter: 'api_calls',
        event: {
          seq: expect.stringMatching(/^\d+$/),
          source: 'test/product',
          id: events[0]?.id,
          type: 'com.example.api.request',
          subject: 'acct_9999',
          time: '2026-10-10T10:00:00.000Z',
        },
        customer: null,
        createdAt: '2026-11-01T00:00:00.000Z',
        updatedAt: '2026-11-01T00:00:00.000Z',
        resolution: null,
        resolvedBy: null,
      });
      expect(await readJson(await t.request(`/v1/exceptions/${ids.negative}`))).toMatchObject({
        id: ids.negative,
        reason: 'negative_value',
        customer: 'acme',
      });
    });

    it('filters by reason, meter, subject, type, customer and event time, and pages with after/next', async () => {
      const subjects = async (query: string) => (await list(query)).items.map((item: Json) => item.event.subject);
      expect(await subjects('?reason=unknown_subject')).toEqual(['acct_9999', 'acct_8888']);
      expect(await subjects('?meter=support_hours')).toEqual(['acme']);
      expect(await subjects('?customer=acme')).toEqual(['acme']);
      expect(await subjects('?subject=acct_8888')).toEqual(['acct_8888']);
      expect(await subjects('?type=com.example.support.session')).toEqual(['acme']);
      expect(await subjects('?from=2026-10-11T00:00:00Z&to=2026-10-12T00:00:00Z')).toEqual(['acct_8888']);
      expect(await subjects('?status=ignored')).toEqual([]);

      const first = await list('?limit=2');
      expect(first.items).toHaveLength(2);
      expect(first.next).toBe(first.items[1].id);
      const second = await list(`?limit=2&after=${first.next}`);
      expect(second).toEqual({ items: [expect.objectContaining({ id: ids.negative })], next: null });
    });

    it('answers 400 listing every bad parameter, and for an unknown parameter', async () => {
      const response = await t.request(
        '/v1/exceptions?status=closed&reason=late&from=yesterday&to=2026-13-01T00:00:00Z&after=abc&limit=0&meter=',
      );
      const body = await expectProblem(response, 400, /invalid exception filter/);
      expect(body.errors).toEqual([
        { path: '/query/status', message: 'must be one of open, resolved, ignored' },
        {
          path: '/query/reason',
          message: expect.stringMatching(/^must be one of unknown_subject, no_active_subscription, /),
        },
        { path: '/query/meter', message: 'must be 1-500 characters' },
        { path: '/query/from', message: expect.stringMatching(/RFC 3339/) },
        { path: '/query/to', message: expect.stringMatching(/RFC 3339/) },
        { path: '/query/after', message: 'must be an exception id (a positive integer)' },
        { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
      ]);
      const range = await expectProblem(
        await t.request('/v1/exceptions?from=2026-10-12T00:00:00Z&to=2026-10-11T00:00:00Z'),
        400,
        /invalid exception filter/,
      );
      expect(range.errors).toEqual([{ path: '/query/to', message: 'must be later than from' }]);
      await expectProblem(await t.request('/v1/exceptions?limit=1001'), 400, /invalid exception filter/);
      const unknown = await expectProblem(await t.request('/v1/exceptions?state=open'), 400, /querystring is invalid/);
      expect(unknown.errors).toEqual([{ path: '', message: 'must NOT have additional properties' }]);
    });

    it('answers 404 for an unknown id and 400 for one that is no id', async () => {
      await expectProblem(await t.request('/v1/exceptions/999999'), 404, /there is no exception 999999/);
      const body = await expectProblem(await t.request('/v1/exceptions/abc'), 400, /invalid exception id/);
      expect(body.errors).toEqual([{ path: '/id', message: 'must be an exception id (a positive integer)' }]);
    });
  });

  describe('POST /v1/exceptions/reprocess', () => {
    it('turns an exception whose cause is fixed into usage, resolved as reprocessed, and audits it', async () => {
      // Nothing fixed yet: selected, still open, nothing created.
      const before = await readJson(await post('/v1/exceptions/reprocess', { ids: [ids.unknown9999] }));
      expect(before).toMatchObject({
        selected: 1,
        stillOpen: 1,
        catalogVersion: 1,
        usage: { created: 0 },
        exceptions: { resolved: 0 },
      });

      await t.app.catalog.apply(WITH_ALIAS, 'catalog.yaml', 'test');
      clock.set('2026-11-02T00:00:00Z');
      const response = await post('/v1/exceptions/reprocess', { filter: { reason: 'unknown_subject' } });
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({
        events: 2,
        usage: { created: 1, updated: 0, removed: 0, unchanged: 0 },
        exceptions: { opened: 0, updated: 0, resolved: 1 },
        invoiced: [],
        invoicedChanges: 0,
        selected: 2,
        stillOpen: 1,
        catalogVersion: 2,
      });
      expect(await usageOf(events[0]?.id as string)).toEqual([{ meter_key: 'api_calls', customer_key: 'acme' }]);
      expect(await readJson(await t.request(`/v1/exceptions/${ids.unknown9999}`))).toMatchObject({
        status: 'resolved',
        resolution: 'reprocessed',
        resolvedBy: `api-key:${adminKeyId}`,
        updatedAt: '2026-11-02T00:00:00.000Z',
      });
      expect((await list('?status=open')).items.map((item: Json) => item.id)).toEqual([ids.unknown8888, ids.negative]);
      expect((await auditRows()).at(-1)).toEqual({
        actor: `api-key:${adminKeyId}`,
        action: 'exception.reprocess',
        target: 'exceptions',
        detail: expect.objectContaining({
          selected: 2,
          stillOpen: 1,
          catalogVersion: 2,
          ids: null,
          filter: { reason: 'unknown_subject' },
        }),
      });
    });

    it('reprocesses every open exception for no body or an empty one, with a finance key', async () => {
      await t.app.catalog.apply(WITH_ALIAS, 'catalog.yaml', 'test');
      const finance = await t.keyFor('finance');
      const empty = await readJson(await post('/v1/exceptions/reprocess', {}, finance));
      expect(empty).toMatchObject({ selected: 3, stillOpen: 2, usage: { created: 1 } });
      const none = await t.request('/v1/exceptions/reprocess', { method: 'POST', key: finance });
      expect(none.status).toBe(200);
      expect(await readJson(none)).toMatchObject({ selected: 2, stillOpen: 2, usage: { created: 0 } });
    });

    it('answers 400 for ids and a filter together, a bad filter, bad ids, and unknown fields', async () => {
      const both = await expectProblem(
        await post('/v1/exceptions/reprocess', { ids: [ids.negative], filter: { reason: 'negative_value' } }),
        400,
        /either ids or a filter, not both/,
      );
      expect(both.errors).toEqual([{ path: '/filter', message: 'cannot be combined with /ids' }]);
      const filter = await expectProblem(
        await post('/v1/exceptions/reprocess', { filter: { reason: 'late', from: 'monday', meter: '' } }),
        400,
        /invalid exception filter/,
      );
      expect(filter.errors).toEqual([
        { path: '/filter/reason', message: expect.stringMatching(/^must be one of /) },
        { path: '/filter/meter', message: 'must be 1-500 characters' },
        { path: '/filter/from', message: expect.stringMatching(/RFC 3339/) },
      ]);
      const idErrors = await expectProblem(
        await post('/v1/exceptions/reprocess', { ids: ['x', 1, 1, 0] }),
        400,
        /invalid exception ids/,
      );
      expect(idErrors.errors).toEqual([
        { path: '/ids/0', message: 'must be an exception id (a positive integer)' },
        { path: '/ids/2', message: 'repeats exception 1' },
        { path: '/ids/3', message: 'must be an exception id (a positive integer)' },
      ]);
      await expectProblem(await post('/v1/exceptions/reprocess', { ids: [] }), 400, /invalid exception ids/);
      const status = await expectProblem(
        await post('/v1/exceptions/reprocess', { filter: { status: 'ignored' } }),
        400,
        /body is invalid/,
      );
      expect(status.errors).toEqual([{ path: '/filter', message: 'must NOT have additional properties' }]);
      await expectProblem(await post('/v1/exceptions/reprocess', { all: true }), 400, /body is invalid/);
      expect((await list('?status=open')).items).toHaveLength(3);
    });

    it('answers 412 before any catalog is applied', async () => {
      const bare = await startTestApp(stores, { clock });
      try {
        await expectProblem(
          await bare.request('/v1/exceptions/reprocess', { method: 'POST', json: {} }),
          412,
          /no catalog has been applied yet/,
        );
      } finally {
        await bare.close();
      }
    });
  });

  describe('POST /v1/exceptions/ignore', () => {
    it('closes exceptions as ignored with the reason, audits each, and refuses to ignore them again (409)', async () => {
      const finance = await t.keyFor('finance');
      const financeId = (await t.app.access.authenticate(finance))?.id;
      const response = await post(
        '/v1/exceptions/ignore',
        { ids: [Number(ids.unknown8888), ids.negative], reason: '  test traffic from a load test  ' },
        finance,
      );
      expect(response.status).toBe(200);
      const ignored = await readJson(response);
      expect(ignored.map((item: Json) => [item.id, item.status, item.resolution, item.resolvedBy])).toEqual([
        [ids.unknown8888, 'ignored', 'test traffic from a load test', `api-key:${financeId}`],
        [ids.negative, 'ignored', 'test traffic from a load test', `api-key:${financeId}`],
      ]);
      expect((await auditRows()).filter((row) => row.action === 'exception.ignore')).toEqual([
        {
          actor: `api-key:${financeId}`,
          action: 'exception.ignore',
          target: `exception:${ids.unknown8888}`,
          detail: expect.objectContaining({ reason: 'test traffic from a load test', meter: 'api_calls' }),
        },
        {
          actor: `api-key:${financeId}`,
          action: 'exception.ignore',
          target: `exception:${ids.negative}`,
          detail: expect.objectContaining({ reason: 'test traffic from a load test', meter: 'support_hours' }),
        },
      ]);

      const again = await expectProblem(
        await post('/v1/exceptions/ignore', { ids: [ids.unknown9999, ids.negative], reason: 'again' }),
        409,
        /only open exceptions can be ignored/,
      );
      expect(again.errors).toEqual([{ path: '/ids/1', message: `exception ${ids.negative} is ignored` }]);
      // All or none: the open one in the refused request stays open.
      expect((await list('?status=open')).items.map((item: Json) => item.id)).toEqual([ids.unknown9999]);
      // A reprocess of everything leaves ignored exceptions alone.
      expect(await readJson(await post('/v1/exceptions/reprocess', {}))).toMatchObject({ selected: 1 });
    });

    it('answers 404 naming the unknown ids, changing nothing', async () => {
      await expectProblem(
        await post('/v1/exceptions/ignore', { ids: [ids.negative, '999998', 999999], reason: 'noise' }),
        404,
        /there is no exception 999998, 999999/,
      );
      expect((await list('?status=open')).items).toHaveLength(3);
      expect(await auditRows()).toEqual([]);
    });

    it('answers 400 for a missing, blank or oversized reason, missing, empty, repeated or non-integer ids, and unknown fields', async () => {
      const missing = await expectProblem(await post('/v1/exceptions/ignore', {}), 400, /body is invalid/);
      expect(missing.errors).toEqual([
        { path: '/ids', message: "must have required property 'ids'" },
        { path: '/reason', message: "must have required property 'reason'" },
      ]);
      const reasonError = [{ path: '/reason', message: 'must say why, in 1-1000 characters' }];
      for (const reason of ['', '   ', 'x'.repeat(1001)]) {
        const body = await expectProblem(
          await post('/v1/exceptions/ignore', { ids: [ids.negative], reason }),
          400,
          /an ignore needs a reason/,
        );
        expect(body.errors).toEqual(reasonError);
      }
      const bad = await expectProblem(
        await post('/v1/exceptions/ignore', {
          ids: [ids.negative, 1.5, 'abc', true, ids.negative, -3],
          reason: 'noise',
        }),
        400,
        /invalid exception ids/,
      );
      expect(bad.errors).toEqual([
        { path: '/ids/1', message: 'must be an exception id (a positive integer)' },
        { path: '/ids/2', message: 'must be an exception id (a positive integer)' },
        { path: '/ids/3', message: 'must be an exception id (a positive integer)' },
        { path: '/ids/4', message: `repeats exception ${ids.negative}` },
        { path: '/ids/5', message: 'must be an exception id (a positive integer)' },
      ]);
      const empty = await expectProblem(
        await post('/v1/exceptions/ignore', { ids: [], reason: 'noise' }),
        400,
        /invalid exception ids/,
      );
      expect(empty.errors).toEqual([{ path: '/ids', message: 'must list 1-1000 exception ids' }]);
      const tooMany = Array.from({ length: 1001 }, (_, i) => i + 1);
      await expectProblem(
        await post('/v1/exceptions/ignore', { ids: tooMany, reason: 'noise' }),
        400,
        /invalid exception ids/,
      );
      const extra = await expectProblem(
        await post('/v1/exceptions/ignore', { ids: [ids.negative], reason: 'noise', by: 'me' }),
        400,
        /body is invalid/,
      );
      expect(extra.errors).toEqual([{ path: '', message: 'must NOT have additional properties' }]);
      await expectProblem(
        await post('/v1/exceptions/ignore', { ids: ids.negative, reason: 'noise' }),
        400,
        /body is invalid/,
      );
      expect((await list('?status=open')).items).toHaveLength(3);
      expect(await auditRows()).toEqual([]);
    });
  });

  it('admits each route only with a key whose role grants its permission (401 / 403)', async () => {
    const keys = { ingest: await t.keyFor('ingest'), read: await t.keyFor('read'), finance: await t.keyFor('finance') };
    const routes: { path: string; method: string; json?: unknown; permission: 'read' | 'finance' }[] = [
      { path: '/v1/exceptions', method: 'GET', permission: 'read' },
      { path: `/v1/exceptions/${ids.negative}`, method: 'GET', permission: 'read' },
      {
        path: '/v1/exceptions/ignore',
        method: 'POST',
        json: { ids: [ids.negative], reason: 'noise' },
        permission: 'finance',
      },
      { path: '/v1/exceptions/reprocess', method: 'POST', json: { ids: [ids.negative] }, permission: 'finance' },
    ];
    for (const { path, method, json, permission } of routes) {
      await expectProblem(await t.request(path, { method, json, key: null }), 401, /API key/);
      await expectProblem(await t.request(path, { method, json, key: 'mb_not_a_key' }), 401, /unknown or revoked/);
      await expectProblem(
        await t.request(path, { method, json, key: keys.ingest }),
        403,
        new RegExp(`role "ingest", which does not grant "${permission}"`),
      );
      if (permission === 'finance')
        await expectProblem(
          await t.request(path, { method, json, key: keys.read }),
          403,
          /role "read", which does not grant "finance"/,
        );
      else expect((await t.request(path, { method, key: keys.read })).status, path).toBe(200);
    }
    expect((await list('?status=open')).items).toHaveLength(3);
  });
});
