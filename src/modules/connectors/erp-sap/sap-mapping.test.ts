import { describe, expect, it } from 'vitest';
import { sapPeriodEntries, sapTarget } from '../../../../test/harness/sap-test-ledger.js';
import { DeliveryFailure, type JournalEntry } from '../connector.js';
import { sapText, toSapJournalEntry } from './sap-mapping.js';
import { readSettings } from './sap-settings.js';
import { buildBulkRequest, readBulkAnswer } from './sap-soap.js';

const settings = (extra: Record<string, unknown> = {}) =>
  readSettings(sapTarget({ url: 'https://my1-api.s4hana.cloud.sap' }, undefined, extra));
const entry = () => sapPeriodEntries(1)[0] as JournalEntry;

function refusal(run: () => unknown): DeliveryFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof DeliveryFailure) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('toSapJournalEntry', () => {
  it('maps a debit to S with a positive amount and a credit to H with a negative one, dimensions to the assignment', () => {
    const mapped = toSapJournalEntry(entry(), settings());
    expect(mapped).toMatchObject({
      OriginalReferenceDocumentType: 'BKPFF',
      BusinessTransactionType: 'RFBU',
      AccountingDocumentType: 'SA',
      DocumentReferenceID: 'J-00000000000001',
      CompanyCode: '1710',
      DocumentDate: '2026-10-31',
      PostingDate: '2026-10-31',
    });
    expect(mapped.Item[0]).toEqual({
      ReferenceDocumentItem: '1',
      GLAccount: '12100000',
      AmountInTransactionCurrency: { '@_currencyCode': 'USD', '#text': entry().lines[0]?.debit },
      DebitCreditCode: 'S',
      DocumentItemText: 'receivable',
      AccountAssignment: { CostCenter: '17101101', ProfitCenter: 'YB101' },
    });
    expect(mapped.Item[1]).toMatchObject({
      DebitCreditCode: 'H',
      AmountInTransactionCurrency: { '#text': `-${entry().lines[1]?.credit}` },
    });
    // Fields keep SAP's schema order: the XML is written in it.
    expect(Object.keys(mapped)).toEqual([
      'OriginalReferenceDocumentType',
      'BusinessTransactionType',
      'AccountingDocumentType',
      'DocumentReferenceID',
      'DocumentHeaderText',
      'CompanyCode',
      'DocumentDate',
      'PostingDate',
      'Item',
    ]);
  });

  it("cuts texts to SAP's fields (header 25, item 50) and drops lines of no amount", () => {
    const body = { ...entry(), memo: 'Meterbridge usage revenue US USD 2026-10-31' };
    body.lines = [...body.lines, { ...body.lines[1]!, credit: '0.00', memo: 'nothing' }];
    body.lines[0] = { ...body.lines[0]!, memo: 'x'.repeat(80) };
    const mapped = toSapJournalEntry(body, settings({ createdByUser: 'MB_USER', documentType: 'AB' }));
    expect(mapped.DocumentHeaderText).toBe('Meterbridge usage revenue');
    expect(mapped.Item[0]?.DocumentItemText).toHaveLength(50);
    expect(mapped.Item).toHaveLength(body.lines.length - 1);
    expect(mapped).toMatchObject({ CreatedByUser: 'MB_USER', AccountingDocumentType: 'AB' });
  });

  it('never splits a surrogate pair and turns what XML cannot carry into spaces', () => {
    expect(sapText(`${'a'.repeat(24)}😀`, 25)).toBe('a'.repeat(24));
    expect(sapText('a\u0000b\u001Fc\uD800d', 25)).toBe('a b c d');
  });

  it('refuses before any request what SAP cannot hold, each at its path', () => {
    expect(
      refusal(() => toSapJournalEntry({ ...entry(), externalId: 'J-123456789012345' }, settings())).detail.path,
    ).toBe('externalId');
    const invoice = { type: 'invoice', externalId: 'I-1' } as unknown as JournalEntry;
    expect(refusal(() => toSapJournalEntry(invoice, settings())).detail.path).toBe('type');
    const both = { ...entry(), lines: [{ ...entry().lines[0]!, credit: '1.00' }] };
    expect(refusal(() => toSapJournalEntry(both, settings())).detail.path).toBe('lines[0]');
    const negative = { ...entry(), lines: [{ ...entry().lines[0]!, debit: '-1.00' }] };
    expect(refusal(() => toSapJournalEntry(negative, settings())).detail.path).toBe('lines[0].debit');
    const huge = { ...entry(), lines: [{ ...entry().lines[0]!, debit: '1'.repeat(21) }] };
    expect(refusal(() => toSapJournalEntry(huge, settings())).detail.path).toBe('lines[0].debit');
    const many = { ...entry(), lines: Array.from({ length: 1000 }, () => entry().lines[0]!) };
    expect(refusal(() => toSapJournalEntry(many, settings())).message).toMatch(/at most 999/);
    expect(refusal(() => toSapJournalEntry({ ...entry(), currency: 'usd' }, settings())).detail.path).toBe('currency');
  });
});

describe('the SOAP request and answer', () => {
  it('writes the entry with XMLBuilder, escaping what text holds, and reads a confirmation back', () => {
    const mapped = toSapJournalEntry({ ...entry(), memo: 'a <b> & "c"' }, settings());
    const xml = buildBulkRequest(mapped, 'MB-J-1', new Date('2026-11-01T00:00:00Z'));
    expect(xml).toContain('<DocumentHeaderText>a &lt;b&gt; &amp; &quot;c&quot;</DocumentHeaderText>');
    expect(xml).toContain('<AmountInTransactionCurrency currencyCode="USD">');
    expect(xml).toContain('xmlns:sfin="http://sap.com/xi/SAPSCORE/SFIN"');
    expect(readBulkAnswer(xml)).toEqual({
      kind: 'unreadable',
      why: 'the SOAP body holds no JournalEntryBulkCreateConfirmation',
    });
    expect(readBulkAnswer('')).toEqual({ kind: 'unreadable', why: 'the body is empty' });
    expect(readBulkAnswer('{"d":1}')).toEqual({ kind: 'unreadable', why: 'the body is not XML' });
  });
});
