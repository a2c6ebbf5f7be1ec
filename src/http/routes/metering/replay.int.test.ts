import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson, type Json } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import { referenceCatalogYaml } from '../../../../test/fixtures/reference-catalog.js';
import { apiRequest, event, ingestAll, supportSession } from '../../../../test/fixtures/metering.js';
import { ManualClock } from '../../../platform/clock.js';

const NOW = '2026-11-01T00:00:00Z';
const OCTOBER = { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };
// acct_1002 moves from acme to globex; acct_9999, unknown so far, becomes acme's.
const CHANGED = referenceCatalogYaml()
  .replace('aliases: [acct_1001, acct_1002]', 'aliases: [acct_1001, acct_9999]')
  .replace('aliases: [acct_2001]', 'aliases: [acct_2001, acct_1002]');

describeEachStore('replays and metering status over HTTP', (stores) => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  const replay = (json: unknown, key?: string | null) => t.request('/v1/replays', { method: 'POST', json, key });
  const usage = async () =>
    (
      await t.app.db.query<{ event_id: string; customer_key: string; invoice_id: string | null }>(
        `select r.id as event_id, u.customer_key, u.invoice_id from usage_records u join raw_events r on r.seq = u.event_seq order by u.event_seq, u.meter_key`,
      )
    ).rows;
  const seqOf = async (eventId: string) =>
    (await t.app.db.query<{ seq: string }>('select seq::text from raw_events where id = $1', [eventId])).rows[0]?.seq;

  // Given: October events for acme (two aliases), an unknown subject, an unmetered type, and a September one.
  const events = {
    acme: apiRequest('acct_1001', '2026-10-10T10:00:00Z'),
    invoiced: apiRequest('acct_1002', '2026-10-11T10:00:00Z'),
    unknown: apiRequest('acct_9999', '2026-10-12T10:00:00Z'),
    moving: apiRequest('acct_1002', '2026-10-13T10:00:00Z'),
    telemetry: event('com.example.unknown', 'acme', '2026-10-14T00:00:00Z', {}),
    september: supportSession('acme', '2026-09-01T00:00:00Z', { duration_hours: 2 }),
  };
  const id = (name: keyof typeof events) => events[name].id as string;

  beforeEach(async () => {
    clock.set(NOW);
    t = await startTestApp(stores, { clock });
    await t.app.catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'test');
    await ingestAll(t.app, Object.values(events));
    await t.app.metering.stage.runUntilCaughtUp();
  });
  afterEach(() => t.close());

  describe('POST /v1/replays', () => {
    it('changes nothing when the catalog has not changed', async () => {
      const response = await replay(OCTOBER);
      expect(response.status).toBe(200);
      expect(await readJson(response)).toEqual({
        from: '2026-10-01T00:00:00.000Z',
        to: '2026-11-01T00:00:00.000Z',
        customer: null,
        meter: null,
        catalogVersion: 1,
        events: 5,
        usage: { created: 0, updated: 0, removed: 0, unchanged: 3 },
        exceptions: { opened: 0, updated: 0, resolved: 0 },
        invoiced: [],
        invoicedChanges: 0,
      });
    });

    it('re-derives under a changed catalog, leaves an invoiced record alone and lists it, and a second run changes nothing', async () => {
      await t.app.db.query(`update usage_records set invoice_id = 'inv-1' where event_seq = $1`, [
        await seqOf(id('invoiced')),
      ]);
      await t.app.catalog.apply(CHANGED, 'catalog.yaml', 'test');
      clock.set('2026-11-02T00:00:00Z');

      const first = await readJson(await replay(OCTOBER));
      expect(first).toEqual({
        from: '2026-10-01T00:00:00.000Z',
        to: '2026-11-01T00:00:00.000Z',
        customer: null,
        meter: null,
        catalogVersion: 2,
        events: 5,
        usage: { created: 1, updated: 1, removed: 0, unchanged: 1 },
        exceptions: { opened: 0, updated: 0, resolved: 1 },
        invoiced: [
          {
            eventSeq: await seqOf(id('invoiced')),
            meterKey: 'api_calls',
            invoiceId: 'inv-1',
            change: 'update',
            invoicedValue: null,
            derivedValue: null,
          },
        ],
        invoicedChanges: 1,
      });
      expect(await usage()).toEqual([
        { event_id: id('acme'), customer_key: 'acme', invoice_id: null },
        { event_id: id('invoiced'), customer_key: 'acme', invoice_id: 'inv-1' },
        { event_id: id('unknown'), customer_key: 'acme', invoice_id: null },
        { event_id: id('moving'), customer_key: 'globex', invoice_id: null },
        { event_id: id('september'), customer_key: 'acme', invoice_id: null },
      ]);
      const [exception] = (await readJson(await t.request('/v1/exceptions'))).items;
      expect(exception).toMatchObject({
        status: 'resolved',
        resolution: 'replayed',
        updatedAt: '2026-11-02T00:00:00.000Z',
      });

      // Deterministic: the second run finds nothing to create, update, remove, open or resolve.
      const second = await readJson(await replay(OCTOBER));
      expect(second).toMatchObject({
        usage: { created: 0, updated: 0, removed: 0, unchanged: 3 },
        exceptions: { opened: 0, updated: 0, resolved: 0 },
        invoicedChanges: 1,
      });

      const adminKeyId = (await t.app.access.authenticate(t.adminKey))?.id;
      const audit = await t.app.db.query<{ actor: string; action: string; target: string; detail: Json }>(
        `select actor, action, target, detail from audit_log order by id`,
      );
      expect(audit.rows.map((row) => row.action)).toEqual([
        'usage.replay.start',
        'usage.replay',
        'usage.replay.start',
        'usage.replay',
      ]);
      expect(audit.rows[1]).toEqual({
        actor: `api-key:${adminKeyId}`,
        action: 'usage.replay',
        target: 'usage:2026-10-01T00:00:00.000Z..2026-11-01T00:00:00.000Z',
        detail: expect.objectContaining({ catalogVersion: 2, invoicedChanges: 1, usage: first.usage }),
      });
    });

    it('touches only the meter or customer asked for', async () => {
      await t.app.catalog.apply(CHANGED, 'catalog.yaml', 'test');
      const otherMeter = await readJson(await replay({ ...OCTOBER, meter: 'support_hours' }));
      expect(otherMeter).toMatchObject({
        meter: 'support_hours',
        events: 5,
        usage: { created: 0, updated: 0, removed: 0, unchanged: 0 },
        exceptions: { resolved: 0 },
      });
      const globex = await readJson(await replay({ ...OCTOBER, customer: 'globex' }));
      // Both acct_1002 records move to globex; the unknown subject becomes acme's, so it waits.
      expect(globex).toMatchObject({
        customer: 'globex',
        usage: { created: 0, updated: 2, unchanged: 0 },
        exceptions: { resolved: 0 },
      });
      expect((await usage()).filter((row) => row.customer_key === 'globex').map((row) => row.event_id)).toEqual([
        id('invoiced'),
        id('moving'),
      ]);
      expect(await readJson(await replay({ ...OCTOBER, customer: 'acme' }))).toMatchObject({
        usage: { created: 1, updated: 0, unchanged: 1 },
        exceptions: { resolved: 1 },
      });
    });

    it('answers 400 for a missing, malformed or empty range, a bad key and an unknown field', async () => {
      const missing = await expectProblem(await replay({}), 400, /body is invalid/);
      expect(missing.errors).toEqual([
        { path: '/from', message: "must have required property 'from'" },
        { path: '/to', message: "must have required property 'to'" },
      ]);
      const malformed = await expectProblem(
        await replay({ from: 'yesterday', to: '2026-10-32T00:00:00Z', meter: 'no spaces' }),
        400,
        /invalid replay request/,
      );
      expect(malformed.errors).toEqual([
        { path: '/from', message: expect.stringMatching(/RFC 3339/) },
        { path: '/to', message: expect.stringMatching(/RFC 3339/) },
        { path: '/meter', message: expect.stringMatching(/^must be a catalog key/) },
      ]);
      const backwards = await expectProblem(
        await replay({ from: OCTOBER.to, to: OCTOBER.from }),
        400,
        /invalid replay request/,
      );
      expect(backwards.errors).toEqual([{ path: '/to', message: 'must be later than from (the range is [from, to))' }]);
      const extra = await expectProblem(await replay({ ...OCTOBER, actor: 'me' }), 400, /body is invalid/);
      expect(extra.errors).toEqual([{ path: '', message: 'must NOT have additional properties' }]);
      expect((await t.app.db.query('select 1 from audit_log')).rowCount).toBe(0);
    });

    it('answers 412 before any catalog is applied', async () => {
      const bare = await startTestApp(stores, { clock });
      try {
        await expectProblem(
          await bare.request('/v1/replays', { method: 'POST', json: OCTOBER }),
          412,
          /no catalog has been applied yet/,
        );
      } finally {
        await bare.close();
      }
    });

    it('needs an admin key (401 / 403)', async () => {
      await expectProblem(await replay(OCTOBER, null), 401, /API key/);
      for (const role of ['ingest', 'read', 'finance'] as const) {
        await expectProblem(
          await replay(OCTOBER, await t.keyFor(role)),
          403,
          new RegExp(`role "${role}", which does not grant "admin"`),
        );
      }
    });
  });

  describe('GET /v1/metering/status', () => {
    it('reports the lag, telemetry and exception counts', async () => {
      const status = await readJson(await t.request('/v1/metering/status', { key: await t.keyFor('read') }));
      expect(status).toEqual({
        lag: { events: 0, seconds: 0 },
        telemetry: [{ eventType: 'com.example.unknown', events: 1, lastEventTime: '2026-10-14T00:00:00.000Z' }],
        exceptions: [{ status: 'open', reason: 'unknown_subject', count: 1 }],
      });

      // Two events accepted now and read 90 s later are 90 s behind.
      await ingestAll(t.app, [
        apiRequest('acct_1001', '2026-10-20T00:00:00Z'),
        apiRequest('acct_1001', '2026-10-21T00:00:00Z'),
      ]);
      clock.set('2026-11-01T00:01:30Z');
      expect((await readJson(await t.request('/v1/metering/status'))).lag).toEqual({ events: 2, seconds: 90 });
    });

    it('needs a read key (401 / 403)', async () => {
      await expectProblem(await t.request('/v1/metering/status', { key: null }), 401, /API key/);
      await expectProblem(
        await t.request('/v1/metering/status', { key: await t.keyFor('ingest') }),
        403,
        /does not grant "read"/,
      );
    });
  });

  it('publishes every metering operation in /openapi.json, tagged metering and secured by bearer', async () => {
    const document = await readJson(await t.request('/openapi.json'));
    const operations: [string, string, string[]][] = [
      ['/v1/exceptions', 'get', ['200', '400', '401', '403']],
      ['/v1/exceptions/{id}', 'get', ['200', '400', '401', '403', '404']],
      ['/v1/exceptions/ignore', 'post', ['200', '400', '401', '403', '404', '409']],
      ['/v1/exceptions/reprocess', 'post', ['200', '400', '401', '403', '412']],
      ['/v1/replays', 'post', ['200', '400', '401', '403', '412']],
      ['/v1/metering/status', 'get', ['200', '401', '403']],
    ];
    for (const [path, method, statuses] of operations) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toMatchObject({
        tags: ['metering'],
        security: [{ bearer: [] }],
        summary: expect.any(String),
      });
      expect(Object.keys(operation.responses).sort(), `${method} ${path}`).toEqual(statuses);
    }
  });
});
