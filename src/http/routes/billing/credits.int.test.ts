import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectProblem } from '../../../../test/harness/expect-problem.js';
import { readJson, type Json } from '../../../../test/harness/read-json.js';
import { describeEachStore } from '../../../../test/harness/stores.js';
import { startTestApp, type TestApp } from '../../../../test/harness/test-app.js';
import { referenceCatalogDocument } from '../../../../test/fixtures/reference-catalog.js';
import { meterOctober } from '../../../../test/fixtures/october-billing.js';
import { ManualClock } from '../../../platform/clock.js';

const ACME = 'acme-growth-2026';
const GLOBEX = 'globex-growth-2026';

/**
 * Acme's October (platform fee 500.00, api 0.00, storage 12.05, premium support 487.50) drawn by, in order:
 * a commit that pays storage only, a support grant smaller than the support line, and a grant that expired
 * mid-October which pays what support has left; a grant that starts in 2027 draws nothing. Globex's grant
 * is not drawn: its quarter has not ended.
 */
const ACME_CREDITS = [
  {
    key: 'a-commit',
    name: 'FY26 storage commit',
    kind: 'commit',
    amount: '600',
    effectiveFrom: '2026-10-01T00:00:00Z',
    charges: ['storage'],
    priority: 0,
  },
  { key: 'b-support', kind: 'grant', amount: '400', charges: ['premium_support'], priority: 1 },
  { key: 'c-future', kind: 'grant', amount: '100', effectiveFrom: '2027-01-01T00:00:00Z', priority: 3 },
  { key: 'd-expired', kind: 'grant', amount: '100', expiresAt: '2026-10-15T00:00:00Z', priority: 2 },
];
const GLOBEX_CREDITS = [{ key: 'g-grant', kind: 'grant', amount: '10' }];

describeEachStore('prepaid credit balances over HTTP', (stores) => {
  let t: TestApp;
  let invoiceId: string;
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  const get = async (path: string) => readJson(await t.request(path));
  const ids = async (query = '') => (await get(`/v1/credits${query}`)).items.map((item: Json) => item.id);

  // Given: the reference catalog with credits on both subscriptions, acme's October metered, and October billed
  // once the month has ended.
  beforeEach(async () => {
    clock.set('2026-11-01T00:00:00Z');
    t = await startTestApp(stores, { clock });
    const document = referenceCatalogDocument();
    document.subscriptions[0].credits = ACME_CREDITS;
    document.subscriptions[1].credits = GLOBEX_CREDITS;
    await t.app.catalog.apply(JSON.stringify(document), 'catalog.json', 'test');
    await meterOctober(t.app);
    clock.set('2026-11-02T00:00:00Z');
    const run = await t.request('/v1/billing-runs', { method: 'POST', json: { period: '2026-10' } });
    expect(run.status).toBe(201);
    expect((await readJson(run)).invoices).toEqual({ created: 1, updated: 0, unchanged: 0, finalized: 0 });
    const invoices = (await get('/v1/invoices')).items;
    expect(invoices).toHaveLength(1);
    invoiceId = invoices[0].id;
  });
  afterEach(() => t.close());

  it("lists every credit's balance, matching the draft's commitment and credit lines", async () => {
    const invoice = await get(`/v1/invoices/${invoiceId}`);
    expect(
      invoice.lines.map((line: Json) => [line.lineNo, line.kind, line.chargeKey, line.creditKey, line.amount]),
    ).toEqual([
      [1, 'flat_fee', 'platform_fee', null, '500.00'],
      [2, 'usage', 'api', null, '0.00'],
      [3, 'usage', 'storage', null, '12.05'],
      [4, 'usage', 'premium_support', null, '487.50'],
      [5, 'commitment', null, 'a-commit', '600.00'],
      [6, 'credit', null, 'a-commit', '-12.05'],
      [7, 'credit', null, 'b-support', '-400.00'],
      [8, 'credit', null, 'd-expired', '-87.50'],
      [9, 'tax', null, null, '79.75'],
    ]);
    // 999.55 of lines + 600.00 committed - 499.55 drawn; tax 7.25 % of 1,100.00.
    expect(invoice).toMatchObject({ subtotal: '1100.00', taxTotal: '79.75', total: '1179.75' });
    expect(invoice.lines[6].description).toBe('Credit b-support: 400.00 applied, 0.00 of 400.00 USD left');

    const page = await get('/v1/credits');
    expect(page.next).toBeNull();
    const common = { currency: 'USD', customer: 'acme', subscription: ACME };
    expect(page.items).toEqual([
      {
        ...common,
        id: `${ACME}/a-commit`,
        key: 'a-commit',
        name: 'FY26 storage commit',
        kind: 'commit',
        amount: '600.00',
        effectiveFrom: '2026-10-01T00:00:00.000Z',
        expiresAt: null,
        charges: ['storage'],
        priority: 0,
        drawn: '0.00',
        pending: '12.05',
        remaining: '587.95',
        status: 'active',
        invoicedOn: invoiceId,
      },
      {
        ...common,
        id: `${ACME}/b-support`,
        key: 'b-support',
        name: null,
        kind: 'grant',
        amount: '400.00',
        effectiveFrom: '2026-01-01T00:00:00.000Z',
        expiresAt: null,
        charges: ['premium_support'],
        priority: 1,
        drawn: '0.00',
        pending: '400.00',
        remaining: '0.00',
        status: 'exhausted',
        invoicedOn: null,
      },
      {
        ...common,
        id: `${ACME}/c-future`,
        key: 'c-future',
        name: null,
        kind: 'grant',
        amount: '100.00',
        effectiveFrom: '2027-01-01T00:00:00.000Z',
        expiresAt: null,
        charges: null,
        priority: 3,
        drawn: '0.00',
        pending: '0.00',
        remaining: '100.00',
        status: 'scheduled',
        invoicedOn: null,
      },
      {
        ...common,
        id: `${ACME}/d-expired`,
        key: 'd-expired',
        name: null,
        kind: 'grant',
        amount: '100.00',
        effectiveFrom: '2026-01-01T00:00:00.000Z',
        expiresAt: '2026-10-15T00:00:00.000Z',
        charges: null,
        priority: 2,
        drawn: '0.00',
        pending: '87.50',
        remaining: '12.50',
        status: 'expired',
        invoicedOn: null,
      },
      {
        id: `${GLOBEX}/g-grant`,
        subscription: GLOBEX,
        customer: 'globex',
        key: 'g-grant',
        name: null,
        kind: 'grant',
        currency: 'EUR',
        amount: '10.00',
        effectiveFrom: '2026-02-14T23:00:00.000Z',
        expiresAt: null,
        charges: null,
        priority: 0,
        drawn: '0.00',
        pending: '0.00',
        remaining: '10.00',
        status: 'active',
        invoicedOn: null,
      },
    ]);

    // Every credit line of the invoice is what its credit has pending: the ledger is the invoices.
    for (const line of invoice.lines.filter((candidate: Json) => candidate.kind === 'credit')) {
      const balance = page.items.find((item: Json) => item.key === line.creditKey);
      expect(balance.pending, line.creditKey).toBe(line.amount.replace(/^-/, ''));
    }
  });

  it('moves what a draft drew from pending to drawn once it is finalized, and lists its entries', async () => {
    const detail = await get(`/v1/credits/${ACME}/a-commit`);
    expect(detail).toMatchObject({
      id: `${ACME}/a-commit`,
      drawn: '0.00',
      pending: '12.05',
      remaining: '587.95',
      status: 'active',
      invoicedOn: invoiceId,
    });
    expect(detail.entries).toEqual([
      {
        invoice: invoiceId,
        number: null,
        document: 'invoice',
        status: 'draft',
        periodStart: '2026-10-01T00:00:00.000Z',
        periodEnd: '2026-11-01T00:00:00.000Z',
        kind: 'commitment',
        amount: '600.00',
      },
      {
        invoice: invoiceId,
        number: null,
        document: 'invoice',
        status: 'draft',
        periodStart: '2026-10-01T00:00:00.000Z',
        periodEnd: '2026-11-01T00:00:00.000Z',
        kind: 'credit',
        amount: '12.05',
      },
    ]);

    expect((await t.request(`/v1/invoices/${invoiceId}/finalize`, { method: 'POST' })).status).toBe(200);
    const finalized = await get(`/v1/credits/${ACME}/a-commit`);
    expect(finalized).toMatchObject({ drawn: '12.05', pending: '0.00', remaining: '587.95', status: 'active' });
    expect(finalized.entries.map((entry: Json) => [entry.kind, entry.amount, entry.status, entry.number])).toEqual([
      ['commitment', '600.00', 'finalized', 'US-000001'],
      ['credit', '12.05', 'finalized', 'US-000001'],
    ]);
    expect(await get(`/v1/credits/${ACME}/d-expired`)).toMatchObject({
      drawn: '87.50',
      pending: '0.00',
      remaining: '12.50',
      status: 'expired',
    });

    // A credit no invoice has used has a balance and no entries.
    expect(await get(`/v1/credits/${ACME}/c-future`)).toMatchObject({
      status: 'scheduled',
      remaining: '100.00',
      entries: [],
    });
    expect(await get(`/v1/credits/${GLOBEX}/g-grant`)).toMatchObject({
      currency: 'EUR',
      remaining: '10.00',
      entries: [],
    });
  });

  it('filters by subscription, customer and status, together or alone', async () => {
    expect(await ids(`?subscription=${GLOBEX}`)).toEqual([`${GLOBEX}/g-grant`]);
    expect(await ids('?customer=acme')).toEqual([
      `${ACME}/a-commit`,
      `${ACME}/b-support`,
      `${ACME}/c-future`,
      `${ACME}/d-expired`,
    ]);
    expect(await ids('?status=active')).toEqual([`${ACME}/a-commit`, `${GLOBEX}/g-grant`]);
    expect(await ids('?status=exhausted')).toEqual([`${ACME}/b-support`]);
    expect(await ids('?status=scheduled')).toEqual([`${ACME}/c-future`]);
    expect(await ids('?status=expired')).toEqual([`${ACME}/d-expired`]);
    expect(await ids('?customer=acme&status=active')).toEqual([`${ACME}/a-commit`]);
    expect(await ids(`?customer=globex&subscription=${ACME}`)).toEqual([]);
    expect(await ids('?customer=initech')).toEqual([]);
    expect(await ids('?subscription=nope')).toEqual([]);
    // The longest accepted value is a filter like any other.
    expect(await ids(`?customer=${'c'.repeat(500)}`)).toEqual([]);
  });

  it('pages with limit, after and next, ending with next null', async () => {
    const all = await ids();
    expect(all).toHaveLength(5);
    const seen: string[] = [];
    let query = '?limit=2';
    const pages: number[] = [];
    for (;;) {
      const page = await get(`/v1/credits${query}`);
      pages.push(page.items.length);
      seen.push(...page.items.map((item: Json) => item.id));
      if (page.next === null) break;
      expect(page.next).toBe(page.items.at(-1).id);
      query = `?limit=2&after=${encodeURIComponent(page.next)}`;
    }
    expect(pages).toEqual([2, 2, 1]);
    expect(seen).toEqual(all);
    // An exact last page says so; filters and paging combine.
    expect(await get('/v1/credits?limit=5')).toMatchObject({ next: null });
    expect(await get('/v1/credits?limit=4')).toMatchObject({ next: `${ACME}/d-expired` });
    expect(await ids(`?customer=acme&limit=1&after=${encodeURIComponent(`${ACME}/b-support`)}`)).toEqual([
      `${ACME}/c-future`,
    ]);
    expect(await get(`/v1/credits?after=${encodeURIComponent(`${GLOBEX}/g-grant`)}`)).toEqual({
      items: [],
      next: null,
    });
    // `after` need not be a credit that exists: it is a position.
    expect(await ids('?after=b')).toEqual([`${GLOBEX}/g-grant`]);
  });

  describe('refusals', () => {
    it('answers 401 without a key, 403 when the role cannot read, and 200 to a read key', async () => {
      const [ingest, read] = await Promise.all([t.keyFor('ingest'), t.keyFor('read')]);
      for (const path of ['/v1/credits', `/v1/credits/${ACME}/a-commit`]) {
        await expectProblem(await t.request(path, { key: null }), 401, /./);
        await expectProblem(await t.request(path, { key: 'mb_not_a_key' }), 401, /unknown or revoked/);
        await expectProblem(await t.request(path, { key: ingest }), 403, /does not grant "read"/);
        expect((await t.request(path, { key: read })).status, path).toBe(200);
      }
      // Authentication comes before validation: a bad query without a key is still 401.
      expect((await t.request('/v1/credits?status=bogus', { key: null })).status).toBe(401);
    });

    it('answers 400 listing every bad list parameter at /query/<name>', async () => {
      const body = await expectProblem(
        await t.request(`/v1/credits?subscription=&customer=${'x'.repeat(501)}&status=used&after=&limit=0`),
        400,
        /invalid credit filter/,
      );
      expect(body.errors).toEqual([
        { path: '/query/subscription', message: 'must be 1-500 characters' },
        { path: '/query/customer', message: 'must be 1-500 characters' },
        { path: '/query/after', message: 'must be 1-500 characters' },
        { path: '/query/status', message: 'must be one of scheduled, active, exhausted, expired' },
        { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
      ]);
      for (const limit of ['0', '1001', 'abc', '-1', '1.5', '', '%201']) {
        const bad = await expectProblem(await t.request(`/v1/credits?limit=${limit}`), 400, /invalid credit filter/);
        expect(bad.errors, `limit=${limit}`).toEqual([
          { path: '/query/limit', message: 'must be an integer from 1 to 1000' },
        ]);
      }
      for (const status of ['ACTIVE', 'draft', ' active', "active' or 1=1--"]) {
        const bad = await expectProblem(
          await t.request(`/v1/credits?status=${encodeURIComponent(status)}`),
          400,
          /invalid credit filter/,
        );
        expect(bad.errors, status).toEqual([
          { path: '/query/status', message: 'must be one of scheduled, active, exhausted, expired' },
        ]);
      }
      expect((await t.request('/v1/credits?limit=1000')).status).toBe(200);
      expect((await t.request('/v1/credits?limit=1')).status).toBe(200);
    });

    it('answers 400 for an unknown or repeated query parameter', async () => {
      const unknown = await expectProblem(await t.request('/v1/credits?state=active'), 400, /querystring is invalid/);
      expect(unknown.errors).toEqual([{ path: '', message: 'must NOT have additional properties' }]);
      const repeated = await t.request('/v1/credits?status=active&status=expired');
      expect(repeated.status).toBe(400);
      expect(repeated.headers.get('content-type')).toBe('application/problem+json');
    });

    it('answers 404 with a problem for an unknown subscription or credit', async () => {
      await expectProblem(
        await t.request(`/v1/credits/${ACME}/nope`),
        404,
        new RegExp(`^subscription ${ACME} has no credit nope in the current catalog$`),
      );
      await expectProblem(
        await t.request('/v1/credits/nope/a-commit'),
        404,
        /^subscription nope has no credit a-commit in the current catalog$/,
      );
      // A credit of another subscription is not this one's.
      await expectProblem(await t.request(`/v1/credits/${GLOBEX}/a-commit`), 404, /has no credit a-commit/);
      await expectProblem(await t.request(`/v1/credits/${ACME}/A-COMMIT`), 404, /has no credit A-COMMIT/);
    });

    it('never answers 500 to hostile path segments: 404 within 200 characters, 400 beyond, 414 past the router limit', async () => {
      const hostile = [
        "' OR '1'='1",
        "a-commit'; drop table invoices; --",
        '%',
        'a-commit%00',
        'ünïcødé-✓-💳',
        '\u202e\u200b',
        // (`..` itself is not sent: the client resolves it before the request leaves.)
        '...',
        'a/b',
        '<script>alert(1)</script>',
        'x'.repeat(200),
        '💳'.repeat(100),
      ];
      for (const segment of hostile) {
        for (const path of [
          `/v1/credits/${encodeURIComponent(segment)}/a-commit`,
          `/v1/credits/${ACME}/${encodeURIComponent(segment)}`,
        ]) {
          await expectProblem(await t.request(path), 404, /in the current catalog/);
        }
      }
      for (const segment of ['x'.repeat(201), 'y'.repeat(1024)]) {
        for (const [path, name] of [
          [`/v1/credits/${segment}/a-commit`, 'subscription'],
          [`/v1/credits/${ACME}/${segment}`, 'credit'],
        ] as const) {
          const body = await expectProblem(await t.request(path), 400, /params is invalid/);
          expect(body.errors).toEqual([{ path: `/${name}`, message: 'must NOT have more than 200 characters' }]);
        }
      }
      // A NUL character is refused before any route looks at the parameter, like in every parameter (hostile input, issue 10).
      for (const segment of ['\u0000', 'a-commit\u0000']) {
        for (const [path, name] of [
          [`/v1/credits/${encodeURIComponent(segment)}/a-commit`, 'subscription'],
          [`/v1/credits/${ACME}/${encodeURIComponent(segment)}`, 'credit'],
        ] as const) {
          const body = await expectProblem(await t.request(path), 400, /^the request is refused/);
          expect(body.errors).toEqual([{ path: `/params/${name}`, message: expect.stringMatching(/U\+0000/) }]);
        }
      }
      // Past the router's 1,024-character parameter limit the URI itself is refused, still as a problem.
      for (const path of [`/v1/credits/${'z'.repeat(5000)}/a-commit`, `/v1/credits/${ACME}/${'z'.repeat(1025)}`]) {
        await expectProblem(await t.request(path), 414, /./);
      }
      // Malformed percent-encoding is the client's mistake, not ours.
      for (const path of ['/v1/credits/%E0%A4%A/a-commit', `/v1/credits/${ACME}/%ZZ`, `/v1/credits/${ACME}/%C3%28`]) {
        const response = await t.request(path);
        expect([400, 404], path).toContain(response.status);
        expect(response.headers.get('content-type'), path).toBe('application/problem+json');
      }
      // The store is untouched.
      expect((await t.app.db.query<{ n: number }>('select count(*)::int as n from invoices')).rows[0]?.n).toBe(1);
    });

    it('never answers 500 to hostile filter values: they match nothing', async () => {
      for (const value of ["' OR '1'='1", 'ünïcødé-✓-💳', '%', `${ACME}/a-commit'--`, 'a'.repeat(500)]) {
        for (const name of ['subscription', 'customer', 'after']) {
          const response = await t.request(`/v1/credits?${name}=${encodeURIComponent(value)}`);
          expect(response.status, `${name}=${JSON.stringify(value)}`).toBe(200);
          const page = await readJson(response);
          if (name !== 'after') expect(page).toEqual({ items: [], next: null });
        }
      }
      // A NUL character cannot be compared with anything stored: refused, like in every parameter (hostile input, issue 10).
      for (const name of ['subscription', 'customer', 'after']) {
        const body = await expectProblem(await t.request(`/v1/credits?${name}=%00`), 400, /^the request is refused/);
        expect(body.errors).toEqual([{ path: `/query/${name}`, message: expect.stringMatching(/U\+0000/) }]);
      }
    });
  });
});

describeEachStore('prepaid credit balances over HTTP, with no catalog applied', (stores) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(stores, { clock: new ManualClock('2026-11-02T00:00:00Z') });
  });
  afterEach(() => t.close());

  it('lists no credits and finds none', async () => {
    const list = await t.request('/v1/credits');
    expect(list.status).toBe(200);
    expect(await readJson(list)).toEqual({ items: [], next: null });
    expect(await readJson(await t.request(`/v1/credits?subscription=${ACME}&status=active&limit=1`))).toEqual({
      items: [],
      next: null,
    });
    await expectProblem(
      await t.request(`/v1/credits/${ACME}/a-commit`),
      404,
      new RegExp(`^subscription ${ACME} has no credit a-commit in the current catalog$`),
    );
    // Validation still applies without a catalog.
    await expectProblem(await t.request('/v1/credits?limit=0'), 400, /invalid credit filter/);
  });
});
