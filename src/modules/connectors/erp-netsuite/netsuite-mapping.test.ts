import { describe, expect, it } from 'vitest';
import type { ErpDocument, JournalEntry } from '../connector.js';
import { DeliveryFailure } from '../connector.js';
import { recordTypeOf, toNetSuiteRecord } from './netsuite-mapping.js';

const options = { currencies: { USD: '1', EUR: '4' } };
const dims = { subsidiary: '1', department: '2', class: '1', location: '2' };
const ref = { invoiceId: 'inv-1', invoiceNumber: 'MB-1', lineNo: 1 };

const entry: JournalEntry = {
  type: 'journal',
  externalId: 'J-ABCDEFGHIJKLMN',
  legalEntity: 'US',
  currency: 'USD',
  postingDate: '2026-10-31',
  memo: 'usage 2026-10-31',
  lines: [
    { account: '58', dimensions: dims, debit: '1234567.89', credit: '0', memo: 'receivable', references: [ref] },
    { account: '4', dimensions: dims, debit: '0', credit: '1234567.80', memo: 'revenue', references: [ref] },
    { account: '113', dimensions: { subsidiary: '1' }, debit: '0', credit: '0.09', memo: '', references: [] },
  ],
};

const invoice: ErpDocument = {
  type: 'invoice',
  externalId: 'I-ABCDEFGHIJKLMN',
  legalEntity: 'US',
  customer: '100',
  currency: 'EUR',
  documentDate: '2026-11-01',
  memo: 'Meterbridge MB-1',
  dimensions: { subsidiary: '2', department: '1' },
  lines: [
    {
      item: '10',
      description: 'API calls',
      quantity: '1500000',
      unitPrice: '0.0001234',
      amount: '185.10',
      reference: ref,
    },
    {
      item: '11',
      description: 'Platform fee',
      quantity: null,
      unitPrice: null,
      amount: '99',
      reference: { ...ref, lineNo: 2 },
    },
    {
      item: '12',
      description: 'Storage',
      quantity: '3.5',
      unitPrice: '0.0000000001',
      amount: '0.01',
      reference: { ...ref, lineNo: 3 },
    },
  ],
  tax: '0',
  total: '284.11',
};

describe('NetSuite mapping', () => {
  const refusal = (body: JournalEntry | ErpDocument, taxItem?: string) => {
    try {
      toNetSuiteRecord(body, taxItem === undefined ? options : { ...options, taxItem });
    } catch (error) {
      return error;
    }
    return undefined;
  };
  it('maps a journal entry to the exact journalEntry record, amounts exact', () => {
    expect(recordTypeOf(entry)).toBe('journalEntry');
    expect(toNetSuiteRecord(entry, options)).toEqual({
      externalId: 'J-ABCDEFGHIJKLMN',
      subsidiary: { id: '1' },
      currency: { id: '1' },
      tranDate: '2026-10-31',
      memo: 'usage 2026-10-31',
      line: {
        items: [
          {
            account: { id: '58' },
            debit: 1234567.89,
            memo: 'receivable',
            department: { id: '2' },
            class: { id: '1' },
            location: { id: '2' },
          },
          {
            account: { id: '4' },
            credit: 1234567.8,
            memo: 'revenue',
            department: { id: '2' },
            class: { id: '1' },
            location: { id: '2' },
          },
          { account: { id: '113' }, credit: 0.09 },
        ],
      },
    });
    // The numbers serialize to the same decimal text: nothing is lost on the wire.
    expect(JSON.stringify(toNetSuiteRecord(entry, options))).toContain('"debit":1234567.89');
  });

  it('maps an invoice to the exact invoice record, leaving out a rate too fine to carry', () => {
    expect(toNetSuiteRecord(invoice, options)).toEqual({
      externalId: 'I-ABCDEFGHIJKLMN',
      entity: { id: '100' },
      subsidiary: { id: '2' },
      currency: { id: '4' },
      tranDate: '2026-11-01',
      // The Meterbridge number in the memo and the other reference, its id in the memo, both on each line.
      memo: 'Meterbridge MB-1 (id inv-1)',
      otherRefNum: 'MB-1',
      department: { id: '1' },
      item: {
        items: [
          {
            item: { id: '10' },
            quantity: 1500000,
            rate: 0.0001234,
            amount: 185.1,
            description: 'API calls (MB-1 line 1)',
          },
          { item: { id: '11' }, amount: 99, description: 'Platform fee (MB-1 line 2)' },
          { item: { id: '12' }, quantity: 3.5, amount: 0.01, description: 'Storage (MB-1 line 3)' },
        ],
      },
    });
  });

  it("posts the tax as a line of the target's tax item, the lines and the tax making the total", () => {
    const taxed: ErpDocument = { ...invoice, tax: '20.61', total: '304.72' };
    const record = toNetSuiteRecord(taxed, { ...options, taxItem: '90' });
    expect((record.item as { items: unknown[] }).items.at(-1)).toEqual({
      item: { id: '90' },
      amount: 20.61,
      description: 'Tax of MB-1',
    });
    // No tax item named: refused before any request, rather than posting a total NetSuite would not have.
    expect(refusal(taxed)).toMatchObject({ failureClass: 'invalid', detail: { path: 'tax' } });
    expect(refusal({ ...taxed, tax: '20.60' }, '90')).toMatchObject({
      failureClass: 'invalid',
      detail: { path: 'total' },
      message: expect.stringContaining('come to 304.71, not the total 304.72'),
    });
  });

  it('names the document by its id alone while it has no number', () => {
    const draft: ErpDocument = {
      ...invoice,
      memo: 'Meterbridge inv-9',
      source: { invoiceId: 'inv-9', invoiceNumber: '' },
    };
    expect(toNetSuiteRecord(draft, options)).toMatchObject({ memo: 'Meterbridge inv-9', otherRefNum: 'inv-9' });
  });

  it('maps a credit memo to a creditMemo record of the same shape', () => {
    const memo: ErpDocument = {
      ...invoice,
      type: 'credit_memo',
      externalId: 'C-ABCDEFGHIJKLMN',
      currency: 'GBP',
      lines: [invoice.lines[1]!],
      total: '99',
      corrects: 'I-ABCDEFGHIJKLMN',
    };
    expect(recordTypeOf(memo)).toBe('creditMemo');
    expect(toNetSuiteRecord(memo, options)).toEqual({
      externalId: 'C-ABCDEFGHIJKLMN',
      entity: { id: '100' },
      subsidiary: { id: '2' },
      // No currency map entry: the code itself is sent, and NetSuite refuses it if it is no id there.
      currency: { id: 'GBP' },
      tranDate: '2026-11-01',
      memo: 'Meterbridge MB-1 (id inv-1)',
      otherRefNum: 'MB-1',
      department: { id: '1' },
      // The application to the invoice is the connector's, once it has read the invoice.
      item: { items: [{ item: { id: '11' }, amount: 99, description: 'Platform fee (MB-1 line 2)' }] },
    });
  });

  const withLine = (line: Partial<JournalEntry['lines'][number]>): JournalEntry => ({
    ...entry,
    lines: [{ ...entry.lines[0]!, ...line }],
  });

  it('refuses, before any request, amounts a JSON number cannot carry exactly and lines NetSuite cannot take', () => {
    const cases: Array<[JournalEntry | ErpDocument, string]> = [
      [withLine({ debit: '1.005' }), 'line.items[0].debit'],
      [withLine({ debit: '12345678901234.56' }), 'line.items[0].debit'],
      [withLine({ debit: '1e3' }), 'line.items[0].debit'],
      [withLine({ debit: '5', credit: '5' }), 'line.items[0]'],
      [{ ...entry, lines: [...entry.lines, { ...entry.lines[0]!, dimensions: { subsidiary: '2' } }] }, 'subsidiary'],
      [{ ...entry, externalId: 'J|1' }, 'externalId'],
      [{ ...invoice, lines: [{ ...invoice.lines[0]!, quantity: '10000000000' }] }, 'item.items[0].quantity'],
      [{ ...invoice, lines: [{ ...invoice.lines[0]!, amount: '0.001' }] }, 'item.items[0].amount'],
      [{ ...invoice, tax: 'none' }, 'tax'],
      [{ ...invoice, total: '284.10' }, 'total'],
    ];
    for (const [body, path] of cases) {
      const error = refusal(body);
      expect(error, path).toBeInstanceOf(DeliveryFailure);
      expect(error, path).toMatchObject({ failureClass: 'invalid', detail: { path } });
    }
    // 15 significant digits still travel exactly.
    expect(toNetSuiteRecord(withLine({ debit: '1234567890123.45' }), options)).toMatchObject({
      line: { items: [{ debit: 1234567890123.45 }] },
    });
  });
});
