import { describe, expect, it } from 'vitest';
import { postingCatalogDocument } from '../../../test/fixtures/posting-catalog.js';
import type { Invoice, InvoiceLine } from '../billing/index.js';
import { validateCatalog, type Catalog } from '../catalog/index.js';
import { documentJournalLines, type DocumentContext } from './journal-lines.js';
import { summarizeInto } from './journal-entry.js';

function postingCatalog(): Catalog {
  const result = validateCatalog(postingCatalogDocument());
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.catalog;
}

const line = (lineNo: number, kind: InvoiceLine['kind'], chargeKey: string | null, amount: string): InvoiceLine => ({
  lineNo,
  kind,
  chargeKey,
  meterKey: null,
  description: `${kind} ${chargeKey ?? ''}`.trim(),
  periodStart: '2026-10-01T00:00:00.000Z',
  periodEnd: '2026-11-01T00:00:00.000Z',
  quantity: null,
  unitPrice: null,
  amount,
  breakdown: [],
  groups: [],
  creditKey: null,
});

// Acme's October: a 500.00 fee (its own account), 24.00 of API calls and 150.00 of premium support (the
// meter's account), 30.00 drawn from a prepaid credit, tax 7.25 % on 644.00 = 46.69.
const invoice = {
  id: 'inv_1',
  number: 'US-000001',
  total: '690.69',
  lines: [
    line(1, 'flat_fee', 'platform_fee', '500.00'),
    line(2, 'usage', 'api', '24.00'),
    line(3, 'usage', 'premium_support', '150.00'),
    line(4, 'credit', null, '-30.00'),
    line(5, 'tax', null, '46.69'),
  ],
} as Invoice;

function context(catalog: Catalog): DocumentContext {
  const entity = catalog.legalEntities.find((candidate) => candidate.code === 'US');
  if (!entity?.accounting) throw new Error('the fixture posts US');
  return { entity: { ...entity, accounting: entity.accounting }, customer: catalog.customers[0]!, catalog };
}

describe("a document's journal lines", () => {
  const catalog = postingCatalog();

  it('credits revenue by account, tax payable by region, debits discount and the receivable, with references', () => {
    const lines = documentJournalLines(invoice, context(catalog));
    expect(lines.map((one) => [one.account, one.debit, one.credit, one.references[0]?.lineNo])).toEqual([
      ['4010', '0', '500', 1],
      ['4000', '0', '24', 2],
      ['4300', '0', '150', 3],
      ['4900', '30', '0', 4],
      ['2300', '0', '46.69', 5],
      ['1200', '690.69', '0', 0],
    ]);
    expect(lines[0]?.dimensions).toEqual({ subsidiary: '1', department: '20', class: '3', location: '7' });
    const entry = summarizeInto(
      { externalId: 'J-X', legalEntity: 'US', currency: 'USD', postingDate: '2026-10-31', memo: '' },
      lines,
    );
    expect(entry.lines).toHaveLength(6);
  });

  it('swaps every side for a void, and still balances', () => {
    const reversed = documentJournalLines(invoice, context(catalog), true);
    expect(reversed.map((one) => [one.account, one.debit, one.credit])).toContainEqual(['1200', '0', '690.69']);
    expect(reversed.map((one) => [one.account, one.debit, one.credit])).toContainEqual(['4010', '500', '0']);
  });
});
