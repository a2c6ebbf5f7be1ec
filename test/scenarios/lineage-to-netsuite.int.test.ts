import { afterAll, beforeAll, expect, it } from 'vitest';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../src/emulators/netsuite/index.js';
import { ManualClock } from '../../src/platform/clock.js';
import { expectProblem } from '../harness/expect-problem.js';
import type { Json } from '../harness/read-json.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { applyStory, completion, get, post, send } from './one-month-story.js';
import { drainPostings, netsuiteSecret, netsuiteStoryCatalog } from './story-targets.js';

/**
 * "Why was I charged this?" October at the LLM gateway, its US entity's books in NetSuite (the emulator):
 * Acme's completion is followed forward from the event to its usage, the invoice line that bills it, the
 * journal entry line that carries it and NetSuite's internal id; then support, holding only that internal
 * id, goes back down to the invoice lines, their amounts and the events. Events that are not billed say why.
 */
describeEachStore('lineage from events to NetSuite and back', (stores) => {
  const clock = new ManualClock('2026-10-20T09:00:00Z');
  let emulator: NetSuiteEmulator;
  let t: TestApp;
  const lineage = (query: string) => get(t, `/v1/lineage?${query}`);

  beforeAll(async () => {
    emulator = await startNetSuiteEmulator({ seed: 11 });
    const secret = netsuiteSecret(emulator);
    t = await startTestApp(stores, { clock, secrets: async () => secret });
    await applyStory(t, netsuiteStoryCatalog(emulator));
    await send(t, [
      completion('a-1', 'acme', '2026-10-03T10:00:00Z', 12000),
      completion('i-1', 'initech', '2026-10-05T12:00:00Z', 8000),
      completion('x-1', 'nobody', '2026-10-06T12:00:00Z', 10),
      { ...completion('h-1', 'acme', '2026-10-06T12:00:00Z', 1), type: 'gateway.heartbeat' },
    ]);
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-01T01:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  const drain = () => drainPostings(t, clock);

  it('shows usage on a draft as the draft, with nothing posted yet', async () => {
    const answer = await lineage('event=story/llm-gateway/a-1');
    expect(answer).toMatchObject({
      lookup: 'event',
      event: { source: 'story/llm-gateway', id: 'a-1', type: 'llm.completion', subject: 'acme' },
      metering: 'metered',
      note: null,
      exceptions: [],
      usage: [
        {
          meter: 'tokens',
          value: '12000',
          customer: 'acme',
          billing: 'draft',
          lines: [
            {
              invoice: { status: 'draft', number: null, customer: 'acme' },
              line: { kind: 'usage', charge: 'tokens', quantity: '12000', amount: '22.00' },
              postings: [],
            },
          ],
        },
      ],
    });
  });

  it('follows an event to its invoice line, the journal line and NetSuite internal id, to the cent', async () => {
    clock.set('2026-11-04T02:00:00Z');
    await post(t, '/v1/invoices/finalize-due');
    clock.set('2026-11-05T01:00:01Z');
    await drain();

    // source and id given apart read the same as event=<source>/<id> split at the last "/".
    const answer = await lineage('source=story/llm-gateway&id=a-1');
    expect(await lineage(`event=${encodeURIComponent('story/llm-gateway/a-1')}`)).toEqual(answer);
    const [usage] = answer.usage;
    expect(usage).toMatchObject({ billing: 'invoiced', note: null });
    const [billed] = usage.lines;
    expect(billed.invoice).toMatchObject({
      status: 'finalized',
      number: expect.stringMatching(/^US-/),
      total: '76.15',
      currency: 'USD',
    });
    expect(billed.line).toMatchObject({ kind: 'usage', quantity: '12000', amount: '22.00' });
    // One summarized entry carries both customers' token lines on account 112: 22.00 + 16.00 (a sum is
    // written as the entry was sent, without trailing zeros).
    expect(billed.postings).toEqual([
      expect.objectContaining({
        target: 'netsuite-us',
        kind: 'journal',
        status: 'delivered',
        externalId: expect.stringMatching(/^J-/),
        targetDocumentId: expect.stringMatching(/^\d+$/),
        currency: 'USD',
        total: '145.86',
        lines: [
          expect.objectContaining({ type: 'journal_line', account: '112', debit: '0', credit: '38', summarizes: 2 }),
        ],
        otherUsageEvents: 0,
      }),
    ]);
  });

  it('goes back from the NetSuite internal id alone to the invoices, their amounts and the events', async () => {
    const [posting] = await t.app.postings.list({}, 10);
    const internalId = posting?.targetDocumentId as string;
    const answer = await lineage(`document=netsuite-us/${internalId}`);
    expect(answer).toMatchObject({ lookup: 'document', target: 'netsuite-us', document: internalId });
    const [document] = answer.postings;
    expect(document).toMatchObject({ externalId: posting?.externalId, targetDocumentId: internalId, moreInvoices: 0 });
    // The entry's own lines, summarized: receivable, fees, tokens, tax.
    expect(document.lines.map((line: Json) => [line.account, line.debit, line.credit]).sort()).toEqual([
      ['112', '0', '38'],
      ['113', '0', '9.86'],
      ['54', '0', '98'],
      ['58', '145.86', '0'],
    ]);
    const acme = document.invoices.find((item: Json) => item.invoice.customer === 'acme');
    expect(acme.invoice).toMatchObject({ total: '76.15', status: 'finalized' });
    expect(acme.lines.map((item: Json) => [item.line.kind, item.line.amount])).toEqual([
      ['flat_fee', '49.00'],
      ['usage', '22.00'],
      ['tax', '5.15'],
    ]);
    const tokens = acme.lines.find((item: Json) => item.line.kind === 'usage');
    expect(tokens.postingLines).toEqual([expect.objectContaining({ account: '112', credit: '38' })]);
    expect(tokens.events).toEqual({
      items: [expect.objectContaining({ source: 'story/llm-gateway', id: 'a-1', value: '12000' })],
      next: null,
      eventsPath: `/v1/invoices/${acme.invoice.id}/lines/${tokens.line.lineNo}/events`,
    });
    expect(acme.lines.find((item: Json) => item.line.kind === 'flat_fee').events).toBeNull();

    // The posting's external id finds the same document.
    expect(await lineage(`document=netsuite-us/${posting?.externalId}`)).toEqual({
      ...answer,
      document: posting?.externalId,
    });
  });

  it('reads an invoice line both ways, its events paged through billing', async () => {
    const [first] = (await lineage('event=story/llm-gateway/a-1')).usage[0].lines;
    const answer = await lineage(`invoice=${first.invoice.id}&line=${first.line.lineNo}&limit=1`);
    expect(answer).toMatchObject({
      lookup: 'line',
      invoice: { id: first.invoice.id },
      line: { quantity: '12000', amount: '22.00' },
      events: { items: [expect.objectContaining({ id: 'a-1' })], next: null },
      postings: [expect.objectContaining({ kind: 'journal', status: 'delivered' })],
    });
  });

  it('says why an event has no usage: an exception, telemetry, or not metered yet', async () => {
    expect(await lineage('event=story/llm-gateway/x-1')).toMatchObject({
      metering: 'metered',
      usage: [],
      exceptions: [{ meter: 'tokens', reason: 'unknown_subject', status: 'open' }],
      note: expect.stringContaining('exception'),
    });
    expect(await lineage('event=story/llm-gateway/h-1')).toMatchObject({
      metering: 'telemetry',
      usage: [],
      exceptions: [],
      note: expect.stringContaining('gateway.heartbeat'),
    });
    expect((await send(t, [completion('a-2', 'acme', '2026-11-04T10:00:00Z', 5)])).body).toMatchObject({ accepted: 1 });
    expect(await lineage('event=story/llm-gateway/a-2')).toMatchObject({
      metering: 'not_metered_yet',
      usage: [],
    });
    await t.app.metering.stage.runUntilCaughtUp();
    expect(await lineage('event=story/llm-gateway/a-2')).toMatchObject({
      metering: 'metered',
      usage: [{ billing: 'not_invoiced', lines: [], note: expect.stringContaining('not invoiced yet') }],
    });
  });

  it("follows late usage to the memo that corrects the posted invoice, and back from the memo's entry", async () => {
    // Initech's late 1,500 tokens, corrected by memo (its policy): 9,500 tokens cost 19.00, 3.00 more than
    // billed, plus 7.25 % tax (0.2175 → 0.22).
    expect((await send(t, [completion('i-late', 'initech', '2026-10-31T22:00:00Z', 1500)])).body).toMatchObject({
      accepted: 1,
    });
    await t.app.metering.stage.runUntilCaughtUp();
    clock.set('2026-11-06T09:00:00Z');
    await post(t, '/v1/billing-runs', { period: '2026-10' });
    const drafted = (await lineage('event=story/llm-gateway/i-late')).usage[0];
    expect(drafted).toMatchObject({
      billing: 'draft',
      lines: [{ invoice: { document: 'memo', status: 'draft' }, line: { kind: 'adjustment', amount: '3.00' } }],
    });

    clock.set('2026-11-09T10:00:00Z');
    await post(t, '/v1/invoices/finalize-due');
    clock.set('2026-11-10T01:00:01Z');
    await drain();
    const [billed] = (await lineage('event=story/llm-gateway/i-late')).usage[0].lines;
    expect(billed).toMatchObject({
      invoice: { document: 'memo', status: 'finalized', number: expect.stringMatching(/^US-/), total: '3.22' },
      line: { kind: 'adjustment', amount: '3.00' },
      postings: [
        expect.objectContaining({
          kind: 'journal',
          status: 'delivered',
          targetDocumentId: expect.stringMatching(/^\d+$/),
          lines: [
            expect.objectContaining({ account: '112', credit: expect.stringMatching(/^3(\.00)?$/), summarizes: 1 }),
          ],
        }),
      ],
    });
    // Both ways agree: the memo's line lists the late event among its events.
    const line = await lineage(`invoice=${billed.invoice.id}&line=${billed.line.lineNo}`);
    expect(line.events.items.map((event: Json) => event.id)).toEqual(['i-late']);
    // And from the memo's entry in NetSuite back to the memo.
    const back = await lineage(`document=netsuite-us/${billed.postings[0].targetDocumentId}`);
    expect(back.postings[0].invoices.map((item: Json) => [item.invoice.document, item.invoice.total])).toEqual([
      ['memo', '3.22'],
    ]);
  });

  it('answers 404 saying what was looked up, for each kind of lookup', async () => {
    const missing = async (query: string, path: string, detail: RegExp) => {
      const body = await expectProblem(await t.request(`/v1/lineage?${query}`), 404, detail);
      expect(body.errors).toEqual([{ path, message: body.detail }]);
    };
    await missing(
      'event=story/llm-gateway/nope',
      '/query/event',
      /no event has source "story\/llm-gateway" and id "nope"/,
    );
    await missing('document=netsuite-us/999999', '/query/document', /target "netsuite-us" has no document "999999"/);
    await missing('invoice=inv_nope&line=1', '/query/invoice', /there is no invoice "inv_nope"/);
    const [billed] = (await lineage('event=story/llm-gateway/a-1')).usage[0].lines;
    await missing(`invoice=${billed.invoice.id}&line=99`, '/query/line', /has no line 99 \(its lines are 1 to 3\)/);
  });
});
