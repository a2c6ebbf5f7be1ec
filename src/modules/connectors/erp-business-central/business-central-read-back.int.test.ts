import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bcApi, bcPeriodEntries, bcSecret, bcTarget } from '../../../../test/harness/business-central-test-ledger.js';
import {
  startBusinessCentralEmulator,
  type BusinessCentralEmulator,
} from '../../../emulators/business-central/index.js';
import { placeDifferences, sentLines, sentTotal } from '../../reconciliation/sent-figures.js';
import type { Connector, DeliveryFailure, ErpDocument, JournalEntry } from '../connector.js';
import { createBusinessCentralConnector, createBusinessCentralContext } from './business-central-connector.js';
import { countingPace } from '../../../../test/harness/counting-pace.js';

// The read-back reconciliation relies on, against the emulator: what BC holds for a journal entry (its
// G/L entries) and a sales document (its header and lines), stated as Meterbridge sent it; every posting
// and sales document of a range, over BC's server-driven pages; many documents in one request; and a
// listing that BC throttles or a range that is no range, each a classified failure.

const signal = () => AbortSignal.timeout(10_000);
const today = () => new Date().toISOString().slice(0, 10);
let emulator: BusinessCentralEmulator;

beforeAll(async () => {
  // Small pages, so that a few postings take several of them.
  emulator = await startBusinessCentralEmulator({ seed: 5, pageSize: 4 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator?.close());

const SETTINGS = { taxAccount: '23100', items: { api_calls: 'USAGE', platform: 'SUBSCRIPTION' }, customers: {} };
const connector = (settings: Record<string, unknown> = SETTINGS): Connector =>
  createBusinessCentralConnector(bcTarget(emulator, settings), bcSecret(emulator), createBusinessCentralContext());

function invoice(externalId: string, type: ErpDocument['type'] = 'invoice'): ErpDocument {
  const line = (item: string, amount: string, lineNo: number) => ({
    item,
    description: item,
    quantity: null,
    unitPrice: null,
    amount,
    reference: { invoiceId: `inv_${externalId}`, invoiceNumber: externalId, lineNo },
  });
  return {
    type,
    externalId,
    legalEntity: 'US',
    customer: '10000',
    currency: 'USD',
    documentDate: '2026-11-02',
    memo: externalId,
    dimensions: {},
    lines: [line('api_calls', '100.00', 1), line('platform', '50.00', 2)],
    tax: '7.25',
    total: '157.25',
    source: { invoiceId: `inv_${externalId}`, invoiceNumber: externalId },
  };
}

async function deliverAll(bc: Connector, bodies: ReadonlyArray<JournalEntry | ErpDocument>) {
  const ids = new Map<string, string>();
  for (const body of bodies) ids.set(body.externalId, (await bc.deliver(body, signal())).id);
  return ids;
}

const asSent = (body: JournalEntry | ErpDocument) => ({ total: sentTotal(body), lines: sentLines(body)! });

describe('Business Central read-back against the emulator', () => {
  it('finds a posted entry with its debits and accounts, the first of a copy by hand, and an amount moved by hand', async () => {
    const bc = connector();
    const [entry, other] = bcPeriodEntries(2);
    const ids = await deliverAll(bc, [entry!, other!]);
    const held = await bc.find(entry!, signal());
    expect(held).toMatchObject({ id: ids.get(entry!.externalId), total: asSent(entry!).total });
    expect(placeDifferences(asSent(entry!).lines, held!.lines!)).toEqual([]);

    emulator.copyByHand(entry!.externalId);
    expect(await bc.find(entry!, signal())).toEqual(held);
    emulator.moveByHand(other!.externalId);
    const moved = await bc.find(other!, signal());
    expect(moved?.total).toBe(asSent(other!).total);
    expect(placeDifferences(asSent(other!).lines, moved!.lines!)).toHaveLength(2);
  });

  it('reads a sales document back with its item lines in one request, the tax line left out, a credit memo positive', async () => {
    const bc = connector();
    const documents = [invoice('I-1'), invoice('C-1', 'credit_memo')];
    const ids = await deliverAll(bc, documents);
    for (const document of documents) {
      const before = emulator.stats().requests;
      const held = await bc.find(document, signal());
      expect(emulator.stats().requests - before).toBe(1);
      expect(held).toMatchObject({ id: ids.get(document.externalId), total: '157.25' });
      expect(placeDifferences(asSent(document).lines, held!.lines!)).toEqual([]);
    }
    emulator.moveByHand('I-1');
    const moved = await bc.find(documents[0]!, signal());
    expect(moved?.total).toBe('157.25');
    expect(placeDifferences(asSent(documents[0]!).lines, moved!.lines!).length).toBeGreaterThan(0);
  });

  it('lists every posting and sales document of the range over several pages, each once, with its external id and total', async () => {
    const bc = connector();
    const entries = bcPeriodEntries(5);
    const ids = await deliverAll(bc, [...entries, invoice('I-1'), invoice('C-1', 'credit_memo')]);
    // A sales invoice someone made without an external document number, and a copy by hand of an entry.
    const draft = await bcApi(emulator, 'POST', 'salesInvoices', {
      customerNumber: '10000',
      postingDate: '2026-11-03',
    });
    await bcApi(emulator, 'POST', `salesInvoices(${String(draft.id)})/salesInvoiceLines`, {
      lineType: 'Item',
      lineObjectNumber: 'USAGE',
      quantity: 2,
      unitPrice: 10,
    });
    await bcApi(emulator, 'POST', `salesInvoices(${String(draft.id)})/Microsoft.NAV.post`);
    emulator.copyByHand(entries[0]!.externalId);

    const before = emulator.stats().requests;
    const listed = await bc.listHeld!({ from: '2026-10-01', to: today() }, signal());
    // Some 20 G/L entries and 3 sales documents, 4 to a page: the next links were followed.
    expect(emulator.stats().requests - before).toBeGreaterThan(5);
    for (const body of entries.slice(1)) {
      const mine = listed.filter((document) => document.externalId === body.externalId);
      expect(mine).toEqual([
        { id: ids.get(body.externalId), externalId: body.externalId, type: 'G/L Entry', total: sentTotal(body) },
      ]);
    }
    expect(listed.filter((document) => document.externalId === entries[0]!.externalId)).toHaveLength(2);
    expect(listed.filter((document) => document.externalId === 'I-1')).toEqual([
      { id: ids.get('I-1'), externalId: 'I-1', type: 'Sales Invoice', total: '157.25' },
    ]);
    expect(listed.find((document) => document.externalId === 'C-1')).toMatchObject({ type: 'Sales Credit Memo' });
    expect(listed.filter((document) => document.externalId === null)).toEqual([
      { id: 'PS-INV1002', externalId: null, type: 'Sales Invoice', total: '20' },
    ]);
    // The G/L entries the sales documents posted are theirs, not journal entries of their own.
    expect(listed.some((document) => document.type === 'G/L Entry' && document.externalId?.startsWith('PS-'))).toBe(
      false,
    );
    expect(await bc.listHeld!({ from: '2026-11-01', to: '2026-11-30' }, signal())).toHaveLength(3);
  });

  it('finds many documents in one request per 30 external ids', async () => {
    const bc = connector();
    const entries = bcPeriodEntries(32);
    const documents = [invoice('I-1'), invoice('I-2'), invoice('C-1', 'credit_memo')];
    const ids = await deliverAll(bc, [...entries, ...documents]);
    const before = emulator.stats().requests;
    const found = await bc.findMany!([...entries, ...documents, invoice('I-MISSING')], signal());
    // Journals: 32 ids are 2 filters, their entries (about 100) 4 to a page; invoices 1; credit memos 1.
    expect(bc.findManyBatch).toBe(30);
    expect(found.size).toBe(35);
    expect(found.has('I-MISSING')).toBe(false);
    for (const body of [...entries, ...documents]) {
      expect(found.get(body.externalId)).toMatchObject({ id: ids.get(body.externalId), total: sentTotal(body) });
      expect(placeDifferences(asSent(body).lines, found.get(body.externalId)!.lines!)).toEqual([]);
    }
    const journalPages = Math.ceil((entries.reduce((sum, entry) => sum + entry.lines.length, 0) + 2) / 4);
    expect(emulator.stats().requests - before).toBeLessThanOrEqual(journalPages + 2 + 2);
  });

  it("awaits reconciliation's pace before each request a read sends: as many times as BC was asked", async () => {
    const dimensions = { department: 'DEPARTMENT', location: 'AREA' };
    const bc = connector({ ...SETTINGS, dimensions, postDocuments: false });
    const entries = bcPeriodEntries(6);
    // A kept draft is read with its header's, its lines' and each line's dimension set: a look-up of parts.
    const draft = { ...invoice('D-1'), dimensions: { department: 'SALES', location: '30' } };
    await deliverAll(bc, [...entries, invoice('I-1'), invoice('C-1', 'credit_memo'), draft]);
    const { pace, counted } = countingPace(() => emulator.stats().requests);
    const context = () => ({ queuedAt: new Date(), pace });
    for (const body of [entries[0]!, invoice('I-1'), invoice('C-1', 'credit_memo'), draft]) {
      const { paced, received } = await counted(() => bc.find(body, signal(), context()));
      expect(paced).toBe(received);
      expect(received).toBeGreaterThan(body === draft ? 3 : 0);
    }
    const many = await counted(() => bc.findMany!([...entries, invoice('I-1'), draft], signal(), pace));
    expect(many.paced).toBe(many.received);
    expect(many.received).toBeGreaterThan(3);
    const listing = await counted(() => bc.listHeld!({ from: '2026-10-01', to: today() }, signal(), pace));
    // Some 25 G/L entries and 3 sales documents, 4 to a page: every page was paced.
    expect(listing.paced).toBe(listing.received);
    expect(listing.received).toBeGreaterThan(5);
    // Without a pace (the dispatcher's look-up after an unknown outcome) nothing is awaited.
    expect((await counted(() => bc.find(entries[0]!, signal(), { queuedAt: new Date() }))).paced).toBe(0);
  });

  it('answers a listing BC throttles as throttled, with its Retry-After', async () => {
    const bc = connector();
    await deliverAll(bc, bcPeriodEntries(2));
    emulator.setFaults({ windowRequests: 1, windowMs: 60_000, retryAfterSeconds: 7 });
    const failure = await bc.listHeld!({ from: '2026-10-01', to: '2026-10-31' }, signal()).catch(
      (error: unknown) => error as DeliveryFailure,
    );
    expect(failure).toMatchObject({
      name: 'DeliveryFailure',
      failureClass: 'throttled',
      detail: { status: 429, code: 'Application_TooManyRequests', retryAfterMs: 7000 },
    });
  });

  it("meets BC's 400 for a $filter a careless read-back could send, never a 5xx", async () => {
    for (const query of [
      `$filter=${encodeURIComponent("documentNumber eq 'J-1' or accountNumber eq '13100'")}`,
      `$filter=${encodeURIComponent("postingDate ge '2026-10-01'")}`,
      `$filter=${encodeURIComponent(`documentNumber eq '${'J'.repeat(5000)}'`)}`,
      '$filter=documentNumber%20eq%20%27%ED%A0%80%27',
      '$filter=documentNumber%20eq%20%27J%00%27',
    ])
      await expect(bcApi(emulator, 'GET', `generalLedgerEntries?${query}`)).rejects.toThrow(
        /: 400 \{"error":\{"code":"(BadRequest|Application)/,
      );
  });

  it('refuses a range that is not two calendar dates in order, before any request', async () => {
    const bc = connector();
    const before = emulator.stats().requests;
    for (const range of [
      { from: '2026-10-01', to: "2026-10-31' or documentNumber ne '" },
      { from: '2026-02-30', to: '2026-03-01' },
      { from: '2026-11-01', to: '2026-10-01' },
      { from: '9999-99-99', to: '9999-99-99' },
    ])
      await expect(bc.listHeld!(range, signal())).rejects.toMatchObject({ failureClass: 'invalid' });
    expect(emulator.stats().requests).toBe(before);
  });
});
