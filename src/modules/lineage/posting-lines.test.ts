import { describe, expect, it } from 'vitest';
import type { BillingHandOff, ErpDocument, JournalEntry, UsageHandOff } from '../connectors/index.js';
import type { Posting } from '../outbox/index.js';
import { carriedInvoices, carryingLines, everyReference, postingSummary, referencesLine } from './posting-lines.js';

const ref = (invoiceId: string, lineNo: number, voided?: true) => ({
  invoiceId,
  invoiceNumber: `N-${invoiceId}`,
  lineNo,
  ...(voided ? { voided } : {}),
});

const entry: JournalEntry = {
  type: 'journal',
  externalId: 'J-1',
  legalEntity: 'US',
  currency: 'USD',
  postingDate: '2026-11-04',
  memo: 'day',
  lines: [
    { account: '58', dimensions: {}, debit: '145.86', credit: '0', memo: 'ar', references: [ref('a', 0), ref('b', 0)] },
    {
      account: '112',
      dimensions: { subsidiary: '1' },
      debit: '0',
      credit: '38',
      memo: 'tokens',
      references: [ref('a', 2), ref('b', 2)],
    },
    {
      account: '54',
      dimensions: {},
      debit: '0',
      credit: '98.00',
      memo: 'fees',
      references: [ref('a', 1), ref('b', 1)],
    },
    { account: '112', dimensions: {}, debit: '22.00', credit: '0', memo: 'void', references: [ref('c', 2, true)] },
    { account: '113', dimensions: {}, debit: '0', credit: '9.86', memo: 'tax', references: [ref('a', 3), ref('b', 3)] },
  ],
};

const memo: ErpDocument = {
  type: 'credit_memo',
  externalId: 'C-1',
  legalEntity: 'US',
  customer: 'C-1',
  currency: 'EUR',
  documentDate: '2026-11-09',
  memo: 'memo',
  dimensions: {},
  lines: [
    {
      item: 'tokens',
      description: 'Tokens',
      quantity: '-5',
      unitPrice: '0.002',
      amount: '-0.01',
      reference: ref('m', 1),
    },
  ],
  tax: '0.00',
  total: '-0.01',
  source: { invoiceId: 'm', invoiceNumber: 'N-m' },
};

const items: BillingHandOff = {
  type: 'billing_items',
  externalId: 'B-1',
  customer: 'cus_1',
  currency: 'JPY',
  issue: true,
  memo: 'x',
  source: { invoiceId: 's', invoiceNumber: 'N-s' },
  items: [
    {
      description: 'Fee',
      quantity: null,
      unitPrice: null,
      amount: '4900',
      period: { start: 'a', end: 'b' },
      reference: ref('s', 1),
    },
    {
      description: 'Tokens',
      quantity: '10',
      unitPrice: '2',
      amount: '20',
      period: { start: 'a', end: 'b' },
      reference: ref('s', 2),
    },
  ],
  total: '4920',
};

const usage: UsageHandOff = {
  type: 'usage_events',
  externalId: 'U-1',
  customer: 'cus_1',
  source: { invoiceId: 's', invoiceNumber: 'N-s' },
  part: 1,
  events: [
    { key: '7.tokens', meter: 'tokens', value: '4', time: '2026-10-02T00:00:00.000Z' },
    { key: '9.tokens', meter: 'tokens', value: '6', time: '2026-10-03T00:00:00.000Z' },
  ],
};

describe('posting lines', () => {
  it("picks a summarized journal entry's lines that carry an invoice line, counting what each sums", () => {
    expect(carryingLines(entry, referencesLine('a', 2))).toEqual({
      lines: [
        {
          type: 'journal_line',
          index: 1,
          account: '112',
          dimensions: { subsidiary: '1' },
          debit: '0',
          credit: '38',
          memo: 'tokens',
          summarizes: 2,
          voided: false,
        },
      ],
      otherUsageEvents: 0,
    });
    expect(carryingLines(entry, referencesLine('c', 2)).lines).toEqual([
      expect.objectContaining({ index: 3, debit: '22.00', voided: true }),
    ]);
    expect(carryingLines(entry, referencesLine('a', 9)).lines).toEqual([]);
  });

  it("picks an ERP document's and a billing hand-off's lines by their reference", () => {
    expect(carryingLines(memo, referencesLine('m', 1)).lines).toEqual([
      {
        type: 'document_line',
        index: 0,
        item: 'tokens',
        description: 'Tokens',
        quantity: '-5',
        unitPrice: '0.002',
        amount: '-0.01',
      },
    ]);
    expect(carryingLines(items, referencesLine('s', 2)).lines).toEqual([
      {
        type: 'billing_item',
        index: 1,
        item: null,
        description: 'Tokens',
        quantity: '10',
        unitPrice: '2',
        amount: '20',
      },
    ]);
  });

  it("picks a usage hand-off's events by record key and counts the others", () => {
    expect(carryingLines(usage, everyReference, new Set(['9.tokens']))).toEqual({
      lines: [
        {
          type: 'usage_event',
          index: 1,
          key: '9.tokens',
          meter: 'tokens',
          value: '6',
          time: '2026-10-03T00:00:00.000Z',
        },
      ],
      otherUsageEvents: 1,
    });
    expect(carryingLines(usage, everyReference)).toEqual({ lines: [], otherUsageEvents: 2 });
  });

  it('lists the invoices and line numbers each body carries', () => {
    expect(carriedInvoices(entry)).toEqual(
      new Map([
        ['a', new Set([0, 2, 1, 3])],
        ['b', new Set([0, 2, 1, 3])],
        ['c', new Set([2])],
      ]),
    );
    expect(carriedInvoices(memo)).toEqual(new Map([['m', new Set([1])]]));
    expect(carriedInvoices(items)).toEqual(new Map([['s', new Set([1, 2])]]));
    expect(carriedInvoices(usage)).toEqual(new Map([['s', new Set()]]));
  });

  it("sums a journal entry's total exactly, in the places of its most precise line", () => {
    const posting = {
      id: '1',
      targetKey: 't',
      kind: 'journal',
      externalId: 'J-1',
      status: 'delivered',
      body: entry,
    } as Posting;
    expect(postingSummary(posting, { lines: [], otherUsageEvents: 0 })).toMatchObject({
      currency: 'USD',
      date: '2026-11-04',
      total: '167.86',
    });
    expect(postingSummary({ ...posting, body: memo }, { lines: [], otherUsageEvents: 0 })).toMatchObject({
      currency: 'EUR',
      date: '2026-11-09',
      total: '-0.01',
    });
    expect(postingSummary({ ...posting, body: usage }, { lines: [], otherUsageEvents: 2 })).toMatchObject({
      currency: null,
      total: null,
      otherUsageEvents: 2,
    });
  });
});
