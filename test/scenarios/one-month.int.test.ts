import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Json } from '../harness/read-json.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { ManualClock } from '../../src/platform/clock.js';
import {
  COMPLETION_SCHEMA,
  STORY_CATALOG,
  completion,
  documentsOf,
  expectTotalsAgree,
  get,
  lineEvents,
  lineOf,
  lineTable,
  post,
  send,
  sum,
} from './one-month-story.js';

const HOUR = 3_600_000;

/**
 * October 2026 at an LLM gateway, told end to end over HTTP: the catalog and the event contract, a month
 * of completions (retries and a broken event included), metering, the October billing run, finalization
 * and lineage; then October usage that arrives in November, billed once by each customer's late policy.
 * Every amount is worked out by hand in the comments (see the cast in one-month-story.ts).
 */
describeEachStore('one month at an LLM gateway, from events to finalized invoices and late usage', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let t: TestApp;

  // The events each customer's October invoice must be made of: accepted once, whatever was resent.
  const acmeOctober = [
    completion('a-1', 'acme', '2026-10-03T10:00:00Z', 5000),
    completion('a-2', 'acme', '2026-10-14T16:30:00Z', 4000),
    completion('a-3', 'acct_1001', '2026-10-28T08:15:00Z', 3000), // Acme through its alias
  ];
  const initechOctober = [
    completion('i-1', 'initech', '2026-10-05T12:00:00Z', 2500),
    completion('i-2', 'initech', '2026-10-19T23:59:59Z', 3500),
    completion('i-3', 'initech', '2026-10-31T23:00:00Z', 2000),
  ];
  // October usage that only reaches Meterbridge in November, once October's invoices are final.
  const acmeLate = [
    completion('a-late-1', 'acme', '2026-10-31T22:00:00Z', 1000),
    completion('a-late-2', 'acme', '2026-10-31T23:30:00Z', 500),
  ];
  const initechLate = [completion('i-late-1', 'initech', '2026-10-30T12:00:00Z', 3000)];
  const acmeNovember = [completion('a-nov-1', 'acme', '2026-11-02T09:00:00Z', 3000)];
  const initechNovember = [completion('i-nov-1', 'initech', '2026-11-03T09:00:00Z', 1000)];

  const ids = (events: Json[]) => events.map((event) => event.id).sort();
  const meter = () => t.app.metering.stage.runUntilCaughtUp();
  let acmeOctoberInvoice: Json;
  let initechOctoberInvoice: Json;

  beforeAll(async () => {
    t = await startTestApp(stores, { clock });
  });
  afterAll(() => t?.close());

  it('takes the catalog, the event contract and a month of completions: duplicates counted once, a broken event refused', async () => {
    const catalog = await t.request('/v1/catalog', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: STORY_CATALOG,
    });
    expect(catalog.status).toBe(201);
    const schema = await t.request('/v1/event-types/llm.completion/schemas/1', {
      method: 'PUT',
      json: COMPLETION_SCHEMA,
    });
    expect(schema.status).toBe(201);

    // Mid-October the gateway reports the first completions.
    expect(await send(t, [acmeOctober[0], acmeOctober[1], initechOctober[0], initechOctober[1]])).toEqual({
      status: 200,
      body: { accepted: 4, duplicates: 0, rejected: [], conflicts: [] },
    });
    // On 1 November it reports the rest, resending a-2 and i-2 after a timeout (the same events, byte for
    // byte), one of them twice in this very batch, and one completion whose token count is not a number.
    clock.set('2026-11-01T00:30:00Z');
    const retry = await send(t, [
      acmeOctober[1],
      acmeOctober[2],
      initechOctober[1],
      initechOctober[2],
      completion('i-4', 'initech', '2026-10-31T23:30:00Z', 'many'),
      acmeOctober[1],
    ]);
    expect(retry).toEqual({
      status: 207,
      body: {
        accepted: 2,
        duplicates: 3,
        rejected: [{ index: 4, id: 'i-4', errors: [{ path: '/data/tokens', message: 'must be integer' }] }],
        conflicts: [],
      },
    });
    const refused = await t.app.db.query<{ n: number }>(`select count(*)::int as n from raw_events where id = 'i-4'`);
    expect(refused.rows[0]?.n).toBe(0);

    await meter();
    // Metered: Acme's alias counts as Acme; each customer's October is the sum of its accepted events.
    const usage = await get(
      t,
      '/v1/usage?meter=tokens&group_by=customer&from=2026-10-01T00:00:00Z&to=2026-11-01T00:00:00Z',
    );
    expect(usage.rows.map((row: Json) => [row.groups.customer, row.value])).toEqual([
      ['acme', '12000'],
      ['initech', '8000'],
    ]);
  });

  it('drafts October: a 49.00 fee, tokens priced through the tiers, 7.25 % tax, to the cent', async () => {
    clock.set('2026-11-01T01:00:00Z');
    const run = await post(t, '/v1/billing-runs', { period: '2026-10' });
    // 76.15 (Acme) + 69.71 (Initech), both worked out below.
    expect(run).toMatchObject({
      invoices: { created: 2, updated: 0, unchanged: 0, finalized: 0 },
      memos: { created: 0, updated: 0, unchanged: 0 },
      pending: [],
      totals: { USD: '145.86' },
    });

    [acmeOctoberInvoice] = await documentsOf(t, 'acme');
    // Acme: 12,000 tokens = 10,000 × 0.002 + 2,000 × 0.001 = 22.00; 49.00 + 22.00 = 71.00;
    // tax 71.00 × 7.25 % = 5.1475 → 5.15; total 76.15.
    expect(acmeOctoberInvoice).toMatchObject({ status: 'draft', subtotal: '71.00', taxTotal: '5.15', total: '76.15' });
    expect(lineTable(acmeOctoberInvoice)).toEqual([
      ['flat_fee', 'platform_fee', null, '49.00'],
      ['usage', 'tokens', '12000', '22.00'],
      ['tax', null, '71.00', '5.15'],
    ]);
    [initechOctoberInvoice] = await documentsOf(t, 'initech');
    // Initech: 8,000 tokens, all in the first tier: 16.00; 49.00 + 16.00 = 65.00; tax 4.7125 → 4.71; 69.71.
    expect(initechOctoberInvoice).toMatchObject({
      status: 'draft',
      subtotal: '65.00',
      taxTotal: '4.71',
      total: '69.71',
    });
    expect(lineTable(initechOctoberInvoice)).toEqual([
      ['flat_fee', 'platform_fee', null, '49.00'],
      ['usage', 'tokens', '8000', '16.00'],
      ['tax', null, '65.00', '4.71'],
    ]);
    expectTotalsAgree(acmeOctoberInvoice);
    expectTotalsAgree(initechOctoberInvoice);
  });

  it('finalizes October after the grace period; each usage line traces to exactly the accepted events', async () => {
    // 72 hours after the run that drafted them, both drafts are due (and not a millisecond sooner).
    clock.advance(72 * HOUR - 1);
    expect(await post(t, '/v1/invoices/finalize-due')).toEqual({ finalized: [], skipped: [] });
    clock.advance(1);
    const due = await post(t, '/v1/invoices/finalize-due');
    expect([...due.finalized].sort()).toEqual([acmeOctoberInvoice.id, initechOctoberInvoice.id].sort());

    acmeOctoberInvoice = await get(t, `/v1/invoices/${acmeOctoberInvoice.id}`);
    initechOctoberInvoice = await get(t, `/v1/invoices/${initechOctoberInvoice.id}`);
    const numbers = [acmeOctoberInvoice.number, initechOctoberInvoice.number].sort();
    expect(numbers).toEqual(['US-000001', 'US-000002']);
    expect(acmeOctoberInvoice).toMatchObject({ status: 'finalized', total: '76.15' });
    expect(initechOctoberInvoice).toMatchObject({ status: 'finalized', total: '69.71' });

    // Lineage: the deduplicated events, each once, whose token counts add up to the line's quantity.
    const acme = await lineEvents(t, acmeOctoberInvoice, lineOf(acmeOctoberInvoice, 'usage', 'tokens'));
    expect(ids(acme)).toEqual(['a-1', 'a-2', 'a-3']);
    expect(sum(acme.map((event) => event.value))).toBe('12000');
    const initech = await lineEvents(t, initechOctoberInvoice, lineOf(initechOctoberInvoice, 'usage', 'tokens'));
    expect(ids(initech)).toEqual(['i-1', 'i-2', 'i-3']);
    expect(sum(initech.map((event) => event.value))).toBe('8000');
  });

  it('bills October usage that arrives in November once: rolled forward for Acme, a memo for Initech', async () => {
    // On 4 November the gateway delivers completions it had held back since October, with November's own
    // (one of them twice: stored once).
    clock.set('2026-11-04T12:00:00Z');
    const arrivals = [...acmeLate, ...initechLate, ...acmeNovember, ...initechNovember];
    expect((await send(t, [...arrivals, acmeLate[0]])).body).toEqual({
      accepted: 5,
      duplicates: 1,
      rejected: [],
      conflicts: [],
    });
    await meter();

    clock.set('2026-12-01T01:00:00Z');
    const run = await post(t, '/v1/billing-runs', { period: '2026-11' });
    // 60.60 (Acme) + 54.70 (Initech) + 5.36 (Initech's memo, worked out below): the run's totals add up
    // every document it drafted, memos included.
    expect(run).toMatchObject({
      invoices: { created: 2, updated: 0, unchanged: 0, finalized: 0 },
      memos: { created: 1, updated: 0, unchanged: 0 },
      totals: { USD: '120.66' },
      reissued: [],
    });

    // Acme rolls forward. October re-rated: 13,500 tokens = 20.00 + 3,500 × 0.001 = 23.50, less the 22.00
    // billed: 1.50 (not 1,500 × 0.002). November: 3,000 tokens = 6.00; 49.00 + 6.00 + 1.50 = 56.50;
    // tax 4.09625 → 4.10; total 60.60.
    const [, acmeNovemberInvoice] = await documentsOf(t, 'acme');
    expect(acmeNovemberInvoice).toMatchObject({
      document: 'invoice',
      periodStart: '2026-11-01T00:00:00.000Z',
      subtotal: '56.50',
      taxTotal: '4.10',
      total: '60.60',
    });
    expect(lineTable(acmeNovemberInvoice)).toEqual([
      ['flat_fee', 'platform_fee', null, '49.00'],
      ['usage', 'tokens', '3000', '6.00'],
      ['adjustment', 'tokens', '1500', '1.50'],
      ['tax', null, '56.50', '4.10'],
    ]);
    const rolled = lineOf(acmeNovemberInvoice, 'adjustment', 'tokens');
    expect(rolled).toMatchObject({
      periodStart: '2026-10-01T00:00:00.000Z',
      description: `Tokens: late usage for 2026-10-01 to 2026-11-01 (invoice ${acmeOctoberInvoice.number}), 12000 → 13500 token`,
    });

    // Initech gets a memo on its October invoice. Re-rated: 11,000 tokens = 20.00 + 1,000 × 0.001 = 21.00,
    // less the 16.00 billed: 5.00 (the late 3,000 cross the tier: not 6.00); tax 0.3625 → 0.36; 5.36.
    // November: 1,000 tokens = 2.00; 49.00 + 2.00 = 51.00; tax 3.6975 → 3.70; 54.70, with no adjustment.
    const [, memo, initechNovemberInvoice] = await documentsOf(t, 'initech');
    expect(memo).toMatchObject({
      document: 'memo',
      correctsInvoice: initechOctoberInvoice.id,
      periodStart: '2026-10-01T00:00:00.000Z',
      subtotal: '5.00',
      taxTotal: '0.36',
      total: '5.36',
    });
    expect(lineTable(memo)).toEqual([
      ['adjustment', 'tokens', '3000', '5.00'],
      ['tax', null, '5.00', '0.36'],
    ]);
    expect(initechNovemberInvoice).toMatchObject({
      document: 'invoice',
      subtotal: '51.00',
      taxTotal: '3.70',
      total: '54.70',
    });
    expect(lineTable(initechNovemberInvoice)).toEqual([
      ['flat_fee', 'platform_fee', null, '49.00'],
      ['usage', 'tokens', '1000', '2.00'],
      ['tax', null, '51.00', '3.70'],
    ]);
    for (const document of [acmeNovemberInvoice, memo, initechNovemberInvoice]) expectTotalsAgree(document);

    // The corrections trace to exactly the late events.
    const rolledEvents = await lineEvents(t, acmeNovemberInvoice, rolled);
    expect(ids(rolledEvents)).toEqual(['a-late-1', 'a-late-2']);
    expect(sum(rolledEvents.map((event) => event.value))).toBe('1500');
    const memoEvents = await lineEvents(t, memo, lineOf(memo, 'adjustment', 'tokens'));
    expect(ids(memoEvents)).toEqual(['i-late-1']);
    expect(sum(memoEvents.map((event) => event.value))).toBe('3000');

    // Three days on, all three finalize: numbered after October's, without gaps.
    clock.advance(72 * HOUR);
    const due = await post(t, '/v1/invoices/finalize-due');
    expect([...due.finalized].sort()).toEqual([acmeNovemberInvoice.id, memo.id, initechNovemberInvoice.id].sort());
    expect(due.skipped).toEqual([]);

    // Every accepted event is on exactly one finalized document: none twice, none left out.
    const documents = (await Promise.all(['acme', 'initech'].map((customer) => documentsOf(t, customer)))).flat();
    const billed: string[] = [];
    for (const document of documents) {
      expect(document.status, document.id).toBe('finalized');
      for (const line of document.lines.filter((line: Json) => ['usage', 'adjustment'].includes(line.kind)))
        billed.push(...ids(await lineEvents(t, document, line)));
    }
    expect(billed.sort()).toEqual(ids([...acmeOctober, ...initechOctober, ...arrivals]));
    expect(documents.map((document) => document.number).sort()).toEqual([
      'US-000001',
      'US-000002',
      'US-000003',
      'US-000004',
      'US-000005',
    ]);

    // Billing the two months again drafts nothing: the late usage is billed, once.
    for (const period of ['2026-10', '2026-11']) {
      expect(await post(t, '/v1/billing-runs', { period })).toMatchObject({
        invoices: { created: 0, updated: 0, unchanged: 0, finalized: 2 },
        memos: { created: 0, updated: 0, unchanged: 0 },
      });
    }
  });
});
