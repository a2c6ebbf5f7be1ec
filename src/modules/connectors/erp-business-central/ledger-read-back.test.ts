import { describe, expect, it } from 'vitest';
import type { BcEntity } from './business-central-client.js';
import { groupPostings, heldPosting } from './ledger-read-back.js';

// Postings told apart in G/L entries without a transaction number: by consecutive entry numbers and one
// posting date per document number.

let ids = 0;
const entry = (
  entryNumber: number,
  documentNumber: string,
  account: string,
  amount: number,
  postingDate = '2026-10-31',
) =>
  ({
    id: `00000000-0000-0000-0000-${String((ids += 1)).padStart(12, '0')}`,
    '@odata.etag': '*',
    entryNumber,
    postingDate,
    documentNumber,
    documentType: ' ',
    accountNumber: account,
    debitAmount: Math.max(amount, 0),
    creditAmount: Math.max(-amount, 0),
  }) as BcEntity;

describe('groupPostings', () => {
  it('keeps consecutive entries of one document and date together, in entry number order', () => {
    const postings = groupPostings([entry(2, 'J-1', '40100', -10.5), entry(1, 'J-1', '13100', 10.5)]);
    expect(postings.map(heldPosting)).toEqual([
      {
        id: '1',
        total: '10.5',
        lines: [
          { place: '13100', amount: '10.5' },
          { place: '40100', amount: '-10.5' },
        ],
      },
    ]);
  });

  it('starts another posting after a gap in entry numbers or on another date, however the answer is ordered', () => {
    const postings = groupPostings([
      entry(1, 'J-1', '13100', 5),
      entry(2, 'J-1', '40100', -5),
      entry(3, 'J-2', '13100', 7),
      entry(4, 'J-2', '40100', -7),
      entry(6, 'J-1', '40100', -5),
      entry(5, 'J-1', '13100', 5),
      entry(7, 'J-2', '13100', 7, '2026-12-06'),
      entry(8, 'J-2', '40100', -7, '2026-12-06'),
    ]);
    expect(postings.map((posting) => [posting.documentNumber, heldPosting(posting).id])).toEqual([
      ['J-1', '1'],
      ['J-2', '3'],
      ['J-1', '5'],
      ['J-2', '7'],
    ]);
  });

  it('refuses to sum an entry it cannot read', () => {
    expect(() => groupPostings([{ ...entry(1, 'J-1', '13100', 5), debitAmount: 'lots' }])).toThrow(/could not read/);
  });
});
