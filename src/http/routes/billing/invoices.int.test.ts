import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson, type Json } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import { referenceCatalogYaml } from '../../../../test/fixtures/reference-catalog.js';
import { apiRequest, ingestAll, storageSnapshot, supportSession } from '../../../../test/fixtures/metering.js';
import { ManualClock } from '../../../platform/clock.js';
import { Exact } from '../../../platform/money.js';

const HOUR = 3_600_000;

describeEachStore('billing runs and invoices over HTTP', (stores) => {
  let t: TestApp;
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  const post = (path: string, json?: unknown, key?: string | null) => t.request(path, { method: 'POST', json, key });
  const bill = (period = '2026-10', key?: string) => post('/v1/billing-runs', { period }, key);
  const firstInvoiceId = async () => (await readJson(await t.request('/v1/invoices'))).items[0]?.id as string;

  /** Every event of a line, page by page, checking that `next` is null exactly on the last page. */
  async function allLineEvents(id: string, lineNo: number, limit: number): Promise<Json[]> {
    const events: Json[] = [];
    let query = `?limit=${limit}`;
    for (;;) {
      const page = await readJson(await t.request(`/v1/invoices/${id}/lines/${lineNo}/events${query}`));
      events.push(...page.items);
      if (page.next === null) return events;
      expect(page.items).toHaveLength(limit);
      expect(page.next).toBe(page.items.at(-1).seq);
      query = `?limit=${limit}&after=${page.next}`;
    }
  }

  // Given: the reference catalog and a month of usage for acme (directly and through its aliases),
  // metered, with the clock after the end of October.
  beforeEach(async () => {
    clock.set('2026-11-01T00:00:00Z');
    t = await startTestApp(stores, { clock });
    await t.app.catalog.apply(referenceCatalogYaml(), 'catalog.yaml', 'test');
    await ingestAll(t.app, [
      ...Array.from({ length: 30 }, (_, i) =>
        apiRequest(i % 2 ? 'acme' : 'acct_1001', `2026-10-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z`, {
          region: i % 3 ? 'us' : 'eu',
        }),
      ),
      storageSnapshot('acme', '2026-10-05T00:00:00Z', '120.5'),
      supportSession('acme', '2026-10-07T00:00:00Z', { duration_hours: '1.25' }),
      supportSession('acct_1002', '2026-10-30T23:59:59Z', { duration_hours: 2 }),
      supportSession('acme', '2026-11-01T00:00:00Z', { duration_hours: 9 }),
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-02T00:00:00Z');
  });
  afterEach(() => t.close());

  it('bills a month, lists and shows the invoice, traces its lines to their events, and finalizes it once', async () => {
    const run = await bill();
    expect(run.status).toBe(201);
    expect(await readJson(run)).toEqual({
      id: expect.stringMatching(/^run_/),
      period: '2026-10',
      catalogVersion: 1,
      invoices: { created: 1, updated: 0, unchanged: 0, finalized: 0 },
      memos: { created: 0, updated: 0, unchanged: 0 },
      pending: [],
      totals: { USD: '1072.02' },
      reissued: [],
    });

    const page = await readJson(await t.request('/v1/invoices'));
    expect(page.next).toBeNull();
    expect(page.items).toEqual([
      expect.objectContaining({
        status: 'draft',
        number: null,
        customer: 'acme',
        legalEntity: 'US',
        currency: 'USD',
        subtotal: '999.55',
        taxTotal: '72.47',
        total: '1072.02',
      }),
    ]);
    expect(page.items[0].lines).toBeUndefined();
    const id = page.items[0].id as string;

    const invoice = await readJson(await t.request(`/v1/invoices/${id}`));
    expect(invoice).toMatchObject({
      id,
      status: 'draft',
      periodStart: '2026-10-01T00:00:00.000Z',
      finalizeAfter: '2026-11-05T00:00:00.000Z',
      finalizedAt: null,
    });
    expect(
      invoice.lines.map((line: Json) => [line.lineNo, line.kind, line.chargeKey, line.quantity, line.amount]),
    ).toEqual([
      [1, 'flat_fee', 'platform_fee', null, '500.00'],
      [2, 'usage', 'api', '30', '0.00'],
      [3, 'usage', 'storage', '120.5', '12.05'],
      [4, 'usage', 'premium_support', '3.25', '487.50'],
      [5, 'tax', null, '999.55', '72.47'],
    ]);
    expect(invoice.lines[1].groups).toEqual(expect.arrayContaining([{ dimensions: { region: 'us' }, quantity: '20' }]));
    expect(invoice.lines[3].breakdown[0]).toMatchObject({ kind: expect.any(String), amount: expect.any(String) });

    // Lineage: the api line's events number its quantity, the support line's values add up to it.
    const api = await allLineEvents(id, 2, 7);
    expect(api).toHaveLength(30);
    expect(new Set(api.map((event: Json) => event.id)).size).toBe(30);
    expect(api[0]).toMatchObject({
      seq: expect.stringMatching(/^\d+$/),
      source: 'test/product',
      type: 'com.example.api.request',
      time: expect.stringMatching(/^2026-10-/),
    });
    const support = await allLineEvents(id, 4, 1);
    expect(support.map((event: Json) => event.subject)).toEqual(['acme', 'acct_1002']);
    expect(support.reduce((sum: Exact, event: Json) => sum.plus(event.value), new Exact(0)).equals('3.25')).toBe(true);
    // A fee line has no events.
    expect(await readJson(await t.request(`/v1/invoices/${id}/lines/1/events`))).toEqual({ items: [], next: null });

    const finalized = await post(`/v1/invoices/${id}/finalize`);
    expect(finalized.status).toBe(200);
    expect(await readJson(finalized)).toMatchObject({
      id,
      status: 'finalized',
      number: 'US-000001',
      finalizedAt: '2026-11-02T00:00:00.000Z',
      lines: expect.any(Array),
    });
    const outbox = await t.app.db.query<{ topic: string; key: string }>('select topic, key from outbox');
    expect(outbox.rows).toEqual([{ topic: 'invoice.finalized', key: id }]);
    const audit = await t.app.db.query<{ actor: string; action: string }>(
      `select actor, action from audit_log where action like 'billing.%' or action like 'invoice.%' order by id`,
    );
    expect(audit.rows).toEqual([
      { actor: expect.stringMatching(/^api-key:/), action: 'billing.run' },
      { actor: expect.stringMatching(/^api-key:/), action: 'invoice.finalize' },
    ]);

    await expectProblem(await post(`/v1/invoices/${id}/finalize`), 409, /only a draft can be finalized/);
    // The final invoice still traces to the events it froze.
    expect(await allLineEvents(id, 4, 100)).toHaveLength(2);

    const again = await bill();
    expect(again.status).toBe(201);
    expect((await readJson(again)).invoices).toEqual({ created: 0, updated: 0, unchanged: 0, finalized: 1 });
  });

  it('filters invoices by customer, status, legal entity and period start, and pages with after/next', async () => {
    await bill('2026-10');
    await bill('2026-09');
    const ids = async (query = '') =>
      (await readJson(await t.request(`/v1/invoices${query}`))).items.map((item: Json) => item.id);
    const [october] = await ids('?from=2026-10-01T00:00:00Z');
    const [september] = await ids('?to=2026-10-01T00:00:00Z');
    expect(october).toBeDefined();
    expect(september).toBeDefined();
    expect(await ids('?from=2026-09-01T00:00:00Z&to=2026-11-01T00:00:00Z')).toEqual([october, september].sort());
    expect(
      await ids('?customer=acme&status=draft&legal_entity=US&from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z'),
    ).toEqual([october]);
    expect(await ids('?customer=globex')).toEqual([]);
    expect(await ids('?legal_entity=EU')).toEqual([]);
    await post(`/v1/invoices/${september}/finalize`);
    expect(await ids('?status=finalized')).toEqual([september]);
    expect(await ids('?status=draft')).toEqual([october]);

    // Globex's quarter that starts in August has not ended: listed as pending, not billed.
    const august = await readJson(await bill('2026-08'));
    expect(august).toMatchObject({
      invoices: { created: 1 },
      pending: [{ subscription: 'globex-growth-2026', periodEnd: '2026-11-14T23:00:00.000Z' }],
    });
    const all = await ids();
    expect(all).toHaveLength(3);
    const first = await readJson(await t.request('/v1/invoices?limit=2'));
    expect(first.items.map((item: Json) => item.id)).toEqual(all.slice(0, 2));
    expect(first.next).toBe(all[1]);
    expect(await readJson(await t.request(`/v1/invoices?after=${first.next}&limit=2`))).toEqual({
      items: [expect.objectContaining({ id: all[2] })],
      next: null,
    });
  });

  it('finalizes the drafts whose grace period has passed (72 hours by default), once', async () => {
    await bill();
    const id = await firstInvoiceId();
    const due = async () => readJson(await post('/v1/invoices/finalize-due'));
    expect(await due()).toEqual({ finalized: [], skipped: [] });
    clock.advance(72 * HOUR - 1);
    expect(await due()).toEqual({ finalized: [], skipped: [] });
    clock.advance(1);
    expect(await due()).toEqual({ finalized: [id], skipped: [] });
    expect(await readJson(await t.request(`/v1/invoices/${id}`))).toMatchObject({
      status: 'finalized',
      number: 'US-000001',
    });
    expect(await due()).toEqual({ finalized: [], skipped: [] });
  });

  describe('refusals', () => {
    it('answers 401 without a key, and 403 when the role lacks the permission', async () => {
      await bill();
      const id = await firstInvoiceId();
      const [ingest, read, finance] = await Promise.all([t.keyFor('ingest'), t.keyFor('read'), t.keyFor('finance')]);
      const routes: [string, string][] = [
        ['POST', '/v1/billing-runs'],
        ['GET', '/v1/invoices'],
        ['GET', `/v1/invoices/${id}`],
        ['GET', `/v1/invoices/${id}/lines/2/events`],
        ['POST', `/v1/invoices/${id}/finalize`],
        ['POST', '/v1/invoices/finalize-due'],
      ];
      for (const [method, path] of routes) {
        const json = path === '/v1/billing-runs' ? { period: '2026-10' } : undefined;
        expect((await t.request(path, { method, json, key: null })).status, `${method} ${path}`).toBe(401);
        expect((await t.request(path, { method, json, key: ingest })).status, `${method} ${path}`).toBe(403);
        expect((await t.request(path, { method, json, key: read })).status, `${method} ${path}`).toBe(
          method === 'GET' ? 200 : 403,
        );
      }
      expect((await readJson(await t.request(`/v1/invoices/${id}`))).status).toBe('draft');
      expect((await bill('2026-10', finance)).status).toBe(201);
      expect((await post(`/v1/invoices/${id}/finalize`, undefined, finance)).status).toBe(200);
    });

    it('answers 400 for a period that is malformed, missing or not ended, or a body with unknown fields', async () => {
      const malformed = await expectProblem(await bill('2026-13'), 400, /invalid billing run/);
      expect(malformed.errors).toEqual([{ path: '/period', message: 'must be a calendar month such as "2026-10"' }]);
      const open = await expectProblem(await bill('2026-11'), 400, /invalid billing run/);
      expect(open.errors).toEqual([{ path: '/period', message: expect.stringMatching(/^2026-11 has not ended yet/) }]);
      const missing = await expectProblem(await post('/v1/billing-runs', {}), 400, /body is invalid/);
      expect(missing.errors).toEqual([{ path: '/period', message: expect.stringContaining('period') }]);
      const extra = await expectProblem(
        await post('/v1/billing-runs', { period: '2026-10', dryRun: true }),
        400,
        /body is invalid/,
      );
      expect(extra.errors).toEqual([{ path: '', message: 'must NOT have additional properties' }]);
      expect((await t.app.db.query<{ n: number }>('select count(*)::int as n from invoices')).rows[0]?.n).toBe(0);
    });

    it('answers 412 when no catalog has been applied', async () => {
      const bare = await startTestApp(stores, { clock });
      try {
        await expectProblem(
          await bare.request('/v1/billing-runs', { method: 'POST', json: { period: '2026-10' } }),
          412,
          /no catalog/,
        );
      } finally {
        await bare.close();
      }
    });

    it.runIf(stores.kind === 'postgres')('answers 409 while another run of the same month holds its lock', async () => {
      // PGlite serializes transactions, so only a server can hold the lock while the request runs.
      await t.app.db.transaction(async (tx) => {
        await tx.query(
          `select pg_advisory_xact_lock(hashtextextended('billing-run:' || current_schema() || ':' || $1, 0))`,
          ['2026-10'],
        );
        await expectProblem(await bill(), 409, /already running/);
      });
      expect((await bill()).status).toBe(201);
    });

    it('answers 400 listing every bad list parameter, and for an unknown one', async () => {
      const body = await expectProblem(
        await t.request('/v1/invoices?status=paid&from=yesterday&to=2026-13-01T00:00:00Z&customer=&limit=0'),
        400,
        /invalid invoice filter/,
      );
      expect(body.errors).toEqual([
        { path: '/query/customer', message: 'must be 1-500 characters' },
        { path: '/query/status', message: 'must be one of draft, finalized, void' },
        { path: '/query/from', message: expect.stringMatching(/^must be an RFC 3339 date-time/) },
        { path: '/query/to', message: expect.stringMatching(/^must be an RFC 3339 date-time/) },
        { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
      ]);
      const range = await expectProblem(
        await t.request('/v1/invoices?from=2026-10-01T00:00:00Z&to=2026-10-01T00:00:00Z&limit=1001'),
        400,
        /invalid invoice filter/,
      );
      expect(range.errors).toEqual([
        { path: '/query/to', message: 'must be later than from' },
        { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
      ]);
      const unknown = await expectProblem(await t.request('/v1/invoices?state=draft'), 400, /querystring is invalid/);
      expect(unknown.errors).toEqual([{ path: '', message: 'must NOT have additional properties' }]);
    });

    it('answers 400 for a bad line number and paging, 404 for an unknown invoice or line', async () => {
      await bill();
      const id = await firstInvoiceId();
      const bad = await expectProblem(
        await t.request(`/v1/invoices/${id}/lines/0/events?after=-1&limit=x`),
        400,
        /invalid line event query/,
      );
      expect(bad.errors).toEqual([
        { path: '/params/line', message: 'must be a line number (a positive integer)' },
        { path: '/query/after', message: expect.stringMatching(/^must be an event seq/) },
        { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
      ]);
      await expectProblem(await t.request(`/v1/invoices/${id}/lines/two/events`), 400, /invalid line event query/);
      await expectProblem(await t.request(`/v1/invoices/${id}/lines/2/events?page=2`), 400, /querystring is invalid/);
      await expectProblem(
        await t.request(`/v1/invoices/${id}/lines/99/events`),
        404,
        new RegExp(`invoice ${id} has no line 99`),
      );
      await expectProblem(await t.request('/v1/invoices/inv_nope/lines/1/events'), 404, /there is no invoice inv_nope/);
      await expectProblem(await t.request('/v1/invoices/inv_nope'), 404, /there is no invoice inv_nope/);
      await expectProblem(await post('/v1/invoices/inv_nope/finalize'), 404, /there is no invoice inv_nope/);
    });
  });
});
