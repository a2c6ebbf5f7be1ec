import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { bcApi, bcSecret, bcTarget } from '../../../../test/harness/business-central-test-ledger.js';
import {
  startBusinessCentralEmulator,
  type BusinessCentralEmulator,
} from '../../../emulators/business-central/index.js';
import type { DeliveryFailure } from '../connector.js';
import { type ErpDocument } from '../connector.js';
import { createBusinessCentralConnector, createBusinessCentralContext } from './business-central-connector.js';

// Invoice mode against the emulator: a sales invoice per document, found by its external document number
// before anything is created; the tax as a line on the target's tax account, BC's total checked against
// Meterbridge's before posting; a draft left half built resumed; a credit memo applied to the invoice it
// corrects, up to what is open on it — once, however often it is delivered.

const signal = () => AbortSignal.timeout(10_000);
let emulator: BusinessCentralEmulator;

beforeAll(async () => {
  emulator = await startBusinessCentralEmulator({ seed: 9 });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator?.close());

const SETTINGS = {
  taxAccount: '23100',
  items: { api_calls: 'USAGE', platform: 'SUBSCRIPTION' },
  customers: { 'cus-acme': '10000' },
};

const connector = (settings: Record<string, unknown> = SETTINGS) =>
  createBusinessCentralConnector(bcTarget(emulator, settings), bcSecret(emulator), createBusinessCentralContext());

/** Invoice MB-7 (id inv_7): 8,000 API calls at 0.0125 and a platform fee, 7.25 tax; 157.25 in all. */
function invoice(overrides: Partial<ErpDocument> = {}): ErpDocument {
  return {
    type: 'invoice',
    externalId: 'I-INV7',
    legalEntity: 'US',
    customer: 'cus-acme',
    currency: 'USD',
    documentDate: '2026-11-01',
    memo: 'Meterbridge MB-7',
    dimensions: {},
    lines: [
      {
        item: 'api_calls',
        description: 'API calls',
        quantity: '8000',
        unitPrice: '0.0125',
        amount: '100.00',
        reference: { invoiceId: 'inv_7', invoiceNumber: 'MB-7', lineNo: 1 },
      },
      {
        item: 'platform',
        description: 'Platform fee, prorated',
        quantity: '0.3333333',
        unitPrice: '150',
        amount: '50.00',
        reference: { invoiceId: 'inv_7', invoiceNumber: 'MB-7', lineNo: 2 },
      },
    ],
    tax: '7.25',
    total: '157.25',
    source: { invoiceId: 'inv_7', invoiceNumber: 'MB-7' },
    ...overrides,
  };
}

/** A credit memo of `amount` (no tax) correcting `corrects`. */
function memo(externalId: string, amount: string, corrects = 'I-INV7'): ErpDocument {
  const [line] = invoice().lines;
  return {
    ...invoice(),
    type: 'credit_memo',
    externalId,
    memo: `Meterbridge ${externalId}`,
    lines: [{ ...line!, quantity: null, unitPrice: null, amount, description: 'Late usage credit' }],
    tax: '0',
    total: amount,
    corrects,
    source: { invoiceId: `inv_${externalId}`, invoiceNumber: externalId },
  };
}

const entities = () => emulator.entities();
const invoices = () => entities().salesInvoices;
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as DeliveryFailure,
  );

describe('Business Central invoice mode against the emulator', () => {
  it('posts an invoice with its lines and the tax on the tax account, to the total, and finds it again', async () => {
    const bc = connector();
    const { id } = await bc.deliver(invoice(), signal());
    expect(invoices()).toMatchObject([
      {
        number: id,
        externalDocumentNumber: 'I-INV7',
        customerNumber: '10000',
        customerPurchaseOrderReference: 'MB-7',
        invoiceDate: '2026-11-01',
        postingDate: '2026-11-01',
        currencyCode: '',
        status: 'Open',
        totalAmountExcludingTax: 157.25,
        totalTaxAmount: 0,
        totalAmountIncludingTax: 157.25,
        remainingAmount: 157.25,
      },
    ]);
    expect(id).toMatch(/^PS-INV/);
    expect(entities().salesInvoiceLines).toMatchObject([
      {
        lineType: 'Item',
        lineObjectNumber: 'USAGE',
        quantity: 8000,
        unitPrice: 0.0125,
        description: 'API calls (MB-7 line 1)',
        description2: '',
      },
      // 0.3333333 x 150 is not 50.00 exactly: one unit at the amount, the quantity said in the second description.
      {
        lineType: 'Item',
        lineObjectNumber: 'SUBSCRIPTION',
        quantity: 1,
        unitPrice: 50,
        description2: '0.3333333 at 150',
      },
      { lineType: 'Account', lineObjectNumber: '23100', quantity: 1, unitPrice: 7.25, description: 'Tax of MB-7' },
    ]);
    expect(await bc.find(invoice(), signal())).toMatchObject({ id });
    // Delivered again: found posted, nothing created.
    const requests = emulator.stats().requests;
    expect(await bc.deliver(invoice(), signal())).toEqual({ id });
    expect(invoices()).toHaveLength(1);
    expect(emulator.stats().requests - requests).toBe(1);
  });

  it('refuses before any request a document with tax and no tax account, or whose lines miss its total', async () => {
    const before = emulator.stats().requests;
    expect(await failureOf(connector({}).deliver(invoice(), signal()))).toMatchObject({
      failureClass: 'invalid',
      detail: { path: 'tax' },
    });
    expect(await failureOf(connector().deliver(invoice({ total: '157.26' }), signal()))).toMatchObject({
      failureClass: 'invalid',
      detail: { path: 'total' },
    });
    expect(
      await failureOf(connector().deliver(invoice({ dimensions: { department: 'SALES' } }), signal())),
    ).toMatchObject({
      failureClass: 'invalid',
      detail: { path: 'dimensions' },
    });
    expect(emulator.stats().requests).toBe(before);
  });

  it('resumes a draft an earlier attempt left half built, step by step, and posts it once', async () => {
    const bc = connector();
    emulator.setFaults({ dropAfterCommitRate: 1 });
    // Every write commits and loses its answer: each attempt gets one step further.
    let found;
    for (let attempt = 0; attempt < 20 && found === undefined; attempt += 1) {
      found = await bc.find(invoice(), signal());
      if (found === undefined) {
        const failure = await failureOf(bc.deliver(invoice(), signal()));
        expect(failure?.failureClass).toBe('unknown_outcome');
      }
    }
    expect(found?.id).toMatch(/^PS-INV/);
    expect(invoices()).toHaveLength(1);
    expect(entities().salesInvoiceLines).toHaveLength(3);
    expect(emulator.stats().outcomes.droppedAfterCommit).toBeGreaterThan(4);
  });

  it('keeps one of two drafts holding the external id, deletes the other, and posts it once', async () => {
    const header = { externalDocumentNumber: 'I-INV7', customerNumber: '10000' };
    const kept = await bcApi(emulator, 'POST', 'salesInvoices', header);
    await bcApi(emulator, 'POST', `salesInvoices(${String(kept.id)})/salesInvoiceLines`, {
      lineType: 'Item',
      lineObjectNumber: 'USAGE',
      quantity: 1,
      unitPrice: 999,
    });
    await bcApi(emulator, 'POST', 'salesInvoices', header);
    await connector().deliver(invoice(), signal());
    expect(invoices()).toMatchObject([{ id: kept.id, status: 'Open', totalAmountIncludingTax: 157.25 }]);
    expect(entities().salesInvoiceLines.map((line) => line.unitPrice)).toEqual([0.0125, 50, 7.25]);
  });

  it('refuses to post when BC adds tax of its own, leaving the draft for a person', async () => {
    const taxed = invoice({ lines: [{ ...invoice().lines[0]!, item: 'TAXED' }], tax: '0', total: '100.00' });
    const failure = await failureOf(connector().deliver(taxed, signal()));
    expect(failure).toMatchObject({ failureClass: 'invalid', detail: { path: 'total' } });
    expect(failure?.message).toMatch(/computes 110 .*its own tax 10.* non-taxable/);
    expect(invoices()).toMatchObject([{ status: 'Draft' }]);
  });

  it("keeps BC's words for a customer or a currency it does not know", async () => {
    const unknownCustomer = await failureOf(connector().deliver(invoice({ customer: '99999' }), signal()));
    expect(unknownCustomer).toMatchObject({ failureClass: 'invalid', detail: { code: 'Application_DialogException' } });
    expect(unknownCustomer?.detail.targetText).toContain('The sell-to customer cannot be found.');
    const unknownCurrency = await failureOf(connector().deliver(invoice({ currency: 'XTS' }), signal()));
    expect(unknownCurrency?.detail.targetText).toContain('The \\"currencyCode\\" does not match to a Currency.');
    await connector().deliver(invoice({ externalId: 'I-EUR', currency: 'EUR' }), signal());
    expect(invoices().find((one) => one.externalDocumentNumber === 'I-EUR')).toMatchObject({ currencyCode: 'EUR' });
  });

  it('applies a credit memo to the invoice it corrects, up to what is open, once however often delivered', async () => {
    const bc = connector();
    await bc.deliver(invoice(), signal());
    const first = await bc.deliver(memo('C-1', '20.00'), signal());
    expect(await bc.deliver(memo('C-1', '20.00'), signal())).toEqual(first);
    const [posted] = invoices();
    expect(entities().salesCreditMemos).toMatchObject([
      {
        number: first.id,
        externalDocumentNumber: 'C-1',
        invoiceId: posted!.id,
        invoiceNumber: posted!.number,
        status: 'Paid',
      },
    ]);
    expect(posted).toMatchObject({ remainingAmount: 137.25, status: 'Open' });
    // Partly paid: the next memo is applied up to what is open and the rest stays open on the memo.
    emulator.pay(String(posted!.id), '130.00');
    await bc.deliver(memo('C-2', '10.00'), signal());
    expect(invoices()[0]).toMatchObject({ remainingAmount: 0, status: 'Paid' });
    expect(entities().salesCreditMemos[1]).toMatchObject({ externalDocumentNumber: 'C-2', status: 'Open' });
    // A memo for an invoice BC does not hold posted is posted unapplied.
    await bc.deliver(memo('C-3', '3.00', 'I-GONE'), signal());
    expect(entities().salesCreditMemos[2]).toMatchObject({ invoiceNumber: '', status: 'Open' });
    // The ledger: each memo reverses revenue and receivable.
    const receivable = emulator
      .ledger()
      .filter((entry) => entry.accountNumber === '13100')
      .map((entry) => [entry.documentType, entry.debit, entry.credit]);
    expect(receivable).toEqual([
      ['Invoice', '157.25', '0'],
      ['Credit Memo', '0', '20'],
      ['Credit Memo', '0', '10'],
      ['Credit Memo', '0', '3'],
    ]);
  });

  it('keeps drafts when told to, and counts a draft as delivered only once it is complete', async () => {
    const bc = connector({ ...SETTINGS, postDocuments: false });
    expect(await bc.find(invoice(), signal())).toBeUndefined();
    const { id } = await bc.deliver(invoice(), signal());
    expect(id).toMatch(/^S-INV/);
    expect(invoices()).toMatchObject([{ status: 'Draft', totalAmountIncludingTax: 157.25 }]);
    expect(await bc.find(invoice(), signal())).toMatchObject({ id });
  });
});

/** A process killed mid-delivery: every request matching `matches` past the first `count` fails unsent. */
function killAfter(count: number, matches: (method: string, url: string) => boolean) {
  const real = globalThis.fetch;
  let seen = 0;
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (matches(init?.method ?? 'GET', url) && ++seen > count) throw new Error('the process was killed');
    return real(input, init);
  });
}

describe('Business Central dimensions in invoice mode', () => {
  const MAPPED = { ...SETTINGS, dimensions: { department: 'DEPARTMENT', location: 'AREA' } };
  const DIMENSIONS = { department: 'SALES', location: '30' };
  const EXPECTED = { AREA: '30', DEPARTMENT: 'SALES' };
  const dimensioned = () => invoice({ dimensions: DIMENSIONS });
  const dimensionSets = () =>
    entities().dimensionSetLines.reduce<Record<string, Record<string, unknown>>>((sets, line) => {
      const parent = String(line.parentId);
      sets[parent] = { ...sets[parent], [String(line.code)]: line.valueCode };
      return sets;
    }, {});

  it("puts the document's dimensions on the header and every line; each G/L entry carries them", async () => {
    const { id } = await connector(MAPPED).deliver(dimensioned(), signal());
    expect(id).toMatch(/^PS-INV/);
    const sets = dimensionSets();
    for (const document of [...invoices(), ...entities().salesInvoiceLines])
      expect(sets[String(document.id)]).toEqual(EXPECTED);
    const ledger = emulator.ledger();
    expect(ledger.map((entry) => entry.accountNumber)).toEqual(['13100', '40100', '40200', '23100']);
    expect(ledger.map((entry) => entry.dimensions)).toEqual(ledger.map(() => EXPECTED));
  });

  /** A draft of the invoice without dimensions (a version before the entity had them), its total right. */
  const draftWithoutDimensions = () => connector({ ...MAPPED, postDocuments: false }).deliver(invoice(), signal());
  /** A delivery killed after `count` dimension set lines were created. */
  async function killedAfter(count: number, bc: ReturnType<typeof connector>) {
    const killed = killAfter(count, (method, url) => method === 'POST' && url.endsWith('/dimensionSetLines'));
    try {
      expect(await failureOf(bc.deliver(dimensioned(), signal()))).toBeDefined();
    } finally {
      killed.mockRestore();
    }
  }

  it('resumes a draft killed between two dimension set lines, and posts it once with every dimension', async () => {
    await draftWithoutDimensions();
    // The header's two, then the first line's first: killed before the first line's second.
    await killedAfter(3, connector(MAPPED));
    expect(invoices()).toMatchObject([{ status: 'Draft' }]);
    expect(entities().dimensionSetLines).toHaveLength(3);
    expect(emulator.ledger()).toEqual([]);
    expect(await connector(MAPPED).find(dimensioned(), signal())).toBeUndefined();
    const { id } = await connector(MAPPED).deliver(dimensioned(), signal());
    expect(invoices()).toMatchObject([{ number: id, status: 'Open' }]);
    const sets = dimensionSets();
    for (const document of [...invoices(), ...entities().salesInvoiceLines])
      expect(sets[String(document.id)]).toEqual(EXPECTED);
    expect(emulator.ledger().map((entry) => entry.dimensions)).toEqual(emulator.ledger().map(() => EXPECTED));
  });

  it("gives lines created after the header's dimensions the header's set (BC's own), without writing it again", async () => {
    await killedAfter(1, connector(MAPPED));
    expect(entities().dimensionSetLines).toHaveLength(1);
    const before = emulator.stats().requests;
    await connector(MAPPED).deliver(dimensioned(), signal());
    // Read first: the header's second dimension is created, the lines' sets are BC's copies of the header's.
    expect(entities().salesInvoiceLines).toHaveLength(3);
    expect(emulator.stats().requests - before).toBeLessThan(20);
    expect(emulator.ledger().map((entry) => entry.dimensions)).toEqual(emulator.ledger().map(() => EXPECTED));
  });

  it('survives every write answered by a dropped connection, and posts once with every dimension', async () => {
    const bc = connector(MAPPED);
    emulator.setFaults({ dropAfterCommitRate: 1 });
    let found;
    for (let attempt = 0; attempt < 40 && found === undefined; attempt += 1) {
      found = await bc.find(dimensioned(), signal());
      if (found === undefined)
        expect((await failureOf(bc.deliver(dimensioned(), signal())))?.failureClass).toBe('unknown_outcome');
    }
    expect(found?.id).toMatch(/^PS-INV/);
    expect(invoices()).toHaveLength(1);
    expect(new Set(emulator.ledger().map((entry) => entry.transactionNumber)).size).toBe(1);
    expect(emulator.ledger().map((entry) => entry.dimensions)).toEqual(emulator.ledger().map(() => EXPECTED));
  });

  it('counts a kept draft as delivered only once its header and every line hold the dimensions', async () => {
    const bc = connector({ ...MAPPED, postDocuments: false });
    await draftWithoutDimensions();
    // The draft's total is right, and it holds no dimension: not delivered.
    expect(await bc.find(dimensioned(), signal())).toBeUndefined();
    await killedAfter(4, bc);
    expect(invoices()).toMatchObject([{ status: 'Draft', totalAmountIncludingTax: 157.25 }]);
    expect(await bc.find(dimensioned(), signal())).toBeUndefined();
    const { id } = await bc.deliver(dimensioned(), signal());
    expect(await bc.find(dimensioned(), signal())).toMatchObject({ id });
    expect(entities().dimensionSetLines).toHaveLength(8);
  });

  it("puts a credit memo's dimensions on its header and lines, and onto the entries that reverse the invoice", async () => {
    const bc = connector(MAPPED);
    await bc.deliver(dimensioned(), signal());
    const credit = { ...memo('C-DIM', '20.00'), dimensions: { department: 'ADM' } };
    await bc.deliver(credit, signal());
    const sets = dimensionSets();
    for (const document of [...entities().salesCreditMemos, ...entities().salesCreditMemoLines])
      expect(sets[String(document.id)]).toEqual({ DEPARTMENT: 'ADM' });
    expect(
      emulator
        .ledger()
        .filter((entry) => entry.documentType === 'Credit Memo')
        .map((entry) => [entry.accountNumber, entry.debit, entry.credit, entry.dimensions]),
    ).toEqual([
      ['13100', '0', '20', { DEPARTMENT: 'ADM' }],
      ['40100', '20', '0', { DEPARTMENT: 'ADM' }],
    ]);
  });

  it('refuses a dimension value BC does not know in its own words, leaving the draft unposted', async () => {
    const failure = await failureOf(
      connector(MAPPED).deliver(invoice({ dimensions: { department: 'MARKETING' } }), signal()),
    );
    expect(failure).toMatchObject({ failureClass: 'invalid', detail: { code: 'Application_DialogException' } });
    expect(failure?.detail.targetText).toContain('does not match to a Dimension Value.');
    expect(invoices()).toMatchObject([{ status: 'Draft' }]);
    expect(emulator.ledger()).toEqual([]);
  });
});
