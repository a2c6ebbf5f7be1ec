import { describe, expect, it } from 'vitest';
import type { JournalLine } from '../connectors/index.js';
import { UnbalancedEntryError } from './accounting.js';
import { externalIdFor, isPortableExternalId } from './external-id.js';
import { summarizeInto } from './journal-entry.js';

const header = { externalId: 'J-TEST', legalEntity: 'US', currency: 'USD', postingDate: '2026-10-31', memo: 'October' };
const dims = { subsidiary: '1' };
const ref = (invoiceId: string, lineNo: number) => ({ invoiceId, invoiceNumber: invoiceId.toUpperCase(), lineNo });
const line = (account: string, debit: string, credit: string, references = [ref('a', 1)]): JournalLine => ({
  account,
  dimensions: dims,
  debit,
  credit,
  memo: account,
  references,
});

describe('summarized journal entries', () => {
  it('sums lines of one account, dimensions and side, keeping every reference', () => {
    const entry = summarizeInto(header, [line('1200', '76.15', '0', [ref('a', 0)]), line('4000', '0', '76.15')]);
    const next = summarizeInto(entry, [
      line('1200', '69.71', '0', [ref('b', 0)]),
      line('4000', '0', '69.71', [ref('b', 2)]),
    ]);
    expect(next.lines.map((one) => [one.account, one.debit, one.credit, one.references.length])).toEqual([
      ['1200', '145.86', '0', 2],
      ['4000', '0', '145.86', 2],
    ]);
    expect(next.lines[0]?.references).toEqual([ref('a', 0), ref('b', 0)]);
  });

  it('keeps debits and credits of one account apart (a memo crediting what an invoice debited)', () => {
    const entry = summarizeInto(header, [
      line('4000', '0', '10.00'),
      line('1200', '10.00', '0'),
      line('4000', '3.00', '0'),
      line('1200', '0', '3.00'),
    ]);
    expect(entry.lines).toHaveLength(4);
  });

  it('refuses an entry whose debits and credits differ, naming both sums', () => {
    expect(() => summarizeInto(header, [line('1200', '10.00', '0'), line('4000', '0', '9.99')])).toThrow(
      new UnbalancedEntryError('J-TEST', '10', '9.99'),
    );
  });
});

describe('external ids', () => {
  it('are deterministic, 16 characters of A-Z 0-9 and -, and differ by what they name', () => {
    const id = externalIdFor('journal', 'netsuite-us', 'US', 'USD', '2026-10-31', '1');
    expect(id).toBe(externalIdFor('journal', 'netsuite-us', 'US', 'USD', '2026-10-31', '1'));
    expect(id).toMatch(/^J-[A-Z2-7]{14}$/);
    expect(isPortableExternalId(id)).toBe(true);
    expect(externalIdFor('journal', 'netsuite-us', 'US', 'USD', '2026-10-31', '2')).not.toBe(id);
    expect(externalIdFor('invoice', 'inv_1')).toMatch(/^I-/);
    const many = new Set(Array.from({ length: 10_000 }, (_, i) => externalIdFor('invoice', `inv_${i}`)));
    expect(many.size).toBe(10_000);
  });
});
