import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../../emulators/netsuite/index.js';
import { DeliveryFailure, type ErpDocument, type JournalEntry, type TargetDefinition } from '../connector.js';
import { createNetSuiteConnector, createNetSuiteContext } from './netsuite-connector.js';
import { countingPace } from '../../../../test/harness/counting-pace.js';

// Reading back what NetSuite holds, in Meterbridge's terms: a document's items mapped back to the charge
// keys they were sent as (its tax line left out), what a person changed by hand, a batch's lines in one
// paged query, and a listing's checks before any request.

const signal = () => AbortSignal.timeout(10_000);
let emulator: NetSuiteEmulator;

beforeAll(async () => {
  emulator = await startNetSuiteEmulator({ seed: 3 });
});
afterAll(() => emulator?.close());
afterEach(() => {
  emulator.reset();
});

function connector() {
  const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
  const target: TargetDefinition = {
    key: 'ns',
    kind: 'netsuite',
    settings: {
      accountId: '1234567_SB1',
      baseUrl: emulator.url,
      auth: { method: 'tba' },
      currencies: { USD: '1' },
      items: { 'api-calls': '10', storage: '11' },
      taxItem: '90',
    },
    credentials: 'NS',
    limits: { requestsPerSecond: 100, concurrency: 4 },
  };
  const secret = JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret });
  return createNetSuiteConnector(target, async () => secret, createNetSuiteContext());
}

function document(type: ErpDocument['type'], externalId: string): ErpDocument {
  const line = (item: string, amount: string, lineNo: number) => ({
    item,
    description: item,
    quantity: null,
    unitPrice: null,
    amount,
    reference: { invoiceId: 'i-1', invoiceNumber: 'MB-1', lineNo },
  });
  return {
    type,
    externalId,
    legalEntity: 'US',
    customer: '100',
    currency: 'USD',
    documentDate: '2026-11-01',
    memo: 'Meterbridge',
    dimensions: { subsidiary: '1' },
    lines: [line('api-calls', '18.75', 1), line('storage', '5.00', 2), line('api-calls', '-1.25', 3)],
    tax: '2.25',
    total: '24.75',
  };
}

/** A balanced entry of six lines, so that 200 of them hold more lines than a SuiteQL page. */
function wideJournal(externalId: string): JournalEntry {
  const dimensions = { subsidiary: '1' };
  const credit = (account: string) => ({ account, dimensions, debit: '0', credit: '1.50', memo: '', references: [] });
  return {
    type: 'journal',
    externalId,
    legalEntity: 'US',
    currency: 'USD',
    postingDate: '2026-10-31',
    memo: 'usage',
    lines: [
      { account: '58', dimensions, debit: '7.50', credit: '0', memo: '', references: [] },
      ...['4', '6', '54', '112', '4'].map(credit),
    ],
  };
}

const documentLines = [
  { place: 'api-calls', amount: '18.75' },
  { place: 'storage', amount: '5' },
  { place: 'api-calls', amount: '-1.25' },
];

describe("NetSuite's read-back of totals and lines", () => {
  it("maps a document's items back to the charge keys sent, leaves its tax line out, and states a credit memo's total positive", async () => {
    const ns = connector();
    const bodies = [document('invoice', 'I-RB-1'), document('credit_memo', 'C-RB-1')];
    const ids = [];
    for (const body of bodies) ids.push((await ns.deliver(body, signal())).id);
    const found = await ns.findMany(bodies, signal());
    for (const [index, body] of bodies.entries()) {
      const expected = { id: ids[index], total: '24.75', lines: documentLines };
      expect(await ns.find(body, signal())).toEqual(expected);
      expect(found.get(body.externalId)).toEqual(expected);
    }
  });

  it('shows a line booked elsewhere by hand, its total kept, and answers the first of two records under one id', async () => {
    const ns = connector();
    const [journal, invoice] = [wideJournal('J-RB-1'), document('invoice', 'I-RB-2')];
    const journalId = (await ns.deliver(journal, signal())).id;
    await ns.deliver(invoice, signal());
    emulator.moveByHand('J-RB-1');
    emulator.moveByHand('I-RB-2');
    emulator.copyByHand('J-RB-1');
    const movedJournal = { total: '7.5', lines: expect.arrayContaining([{ place: '1', amount: '7.5' }]) };
    expect(await ns.find(journal, signal())).toMatchObject({ id: journalId, ...movedJournal });
    const found = await ns.findMany([journal, invoice], signal());
    expect(found.get('J-RB-1')).toMatchObject({ id: journalId, ...movedJournal });
    // The invoice's first line now bills item 12, which no charge key names: it reads back as NetSuite's id.
    const movedInvoice = { total: '24.75', lines: [{ place: '12', amount: '18.75' }, ...documentLines.slice(1)] };
    expect(await ns.find(invoice, signal())).toMatchObject(movedInvoice);
    expect(found.get('I-RB-2')).toMatchObject(movedInvoice);
    const listed = await ns.listHeld({ from: '2026-10-01', to: '2026-11-30' }, signal());
    expect(listed.filter((held) => held.externalId === 'J-RB-1')).toHaveLength(2);
  });

  it("reads a batch's lines in one more query, page by page, and never one request per document", async () => {
    const ns = connector();
    const journals = Array.from({ length: 201 }, (_, index) => wideJournal(`J-WIDE-${index}`));
    for (const body of journals) await ns.deliver(body, signal());
    const before = emulator.stats().requests;
    const found = await ns.findMany(journals, signal());
    // 200 ids: one transaction query and 1,200 lines in two pages; then 1 id: one query each.
    expect(emulator.stats().requests - before).toBe(5);
    expect(found.size).toBe(201);
    for (const held of found.values()) {
      expect(held.total).toBe('7.5');
      expect(held.lines).toHaveLength(6);
    }
  });

  it("awaits reconciliation's pace before each request a read sends: a look-up, every SuiteQL page", async () => {
    const ns = connector();
    const [journal, invoice] = [wideJournal('J-PACE-1'), document('invoice', 'I-PACE-1')];
    await ns.deliver(journal, signal());
    await ns.deliver(invoice, signal());
    // 1,001 journals under one external id: more than a SuiteQL page, for a batch and for a listing.
    for (let copy = 0; copy < 1000; copy += 1) emulator.copyByHand('J-PACE-1');
    const { pace, counted } = countingPace(() => emulator.stats().requests);

    expect(await counted(() => ns.find(journal, signal(), { queuedAt: new Date(), pace }))).toEqual({
      received: 1,
      paced: 1,
    });
    // Journals: two pages of transactions, one of lines; the invoice: one of each; the memo: one, none held.
    const batch = [journal, invoice, document('credit_memo', 'C-PACE-1')];
    expect(await counted(() => ns.findMany(batch, signal(), pace))).toEqual({ received: 6, paced: 6 });
    // Journals over two pages, invoices and credit memos one page each.
    const range = { from: '2026-10-01', to: '2026-11-30' };
    expect(await counted(() => ns.listHeld(range, signal(), pace))).toEqual({ received: 4, paced: 4 });
    // Without a pace (the dispatcher's look-up) the read is what it was.
    expect(await counted(() => ns.find(journal, signal(), { queuedAt: new Date() }))).toEqual({
      received: 1,
      paced: 0,
    });
  });

  it('refuses a range that is not two ISO dates before any request, and a throttled query is throttled', async () => {
    const ns = connector();
    const before = emulator.stats().requests;
    for (const range of [
      { from: "2026-10-01' OR '1'='1", to: '2026-10-31' },
      { from: '2026-10-01', to: '2026-13-45' },
      { from: '10/01/2026', to: '2026-10-31' },
    ]) {
      const failure = await ns.listHeld(range, signal()).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DeliveryFailure);
      expect((failure as DeliveryFailure).failureClass).toBe('invalid');
    }
    expect(emulator.stats().requests).toBe(before);
    emulator.setFaults({ ratePerSecond: 1 });
    const failures = await Promise.all(
      [1, 2, 3].map(() =>
        ns.findMany([wideJournal('J-THROTTLED')], signal()).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    expect(failures.some((error) => error instanceof DeliveryFailure && error.failureClass === 'throttled')).toBe(true);
  });
});
