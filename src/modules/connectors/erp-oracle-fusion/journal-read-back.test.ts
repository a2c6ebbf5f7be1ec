import { describe, expect, it } from 'vitest';
import { accountOf, heldJournal, listedBatch } from './journal-read-back.js';
import type { SegmentSource } from './oracle-fusion-settings.js';

// Oracle's answers in reconciliation's terms: the natural account read out of a combination whatever the
// chart's delimiter, a journal's lines and total, and a batch as a listed document.

const segments: SegmentSource[] = [
  { source: 'dimension', dimension: 'subsidiary' },
  { source: 'account' },
  { source: 'constant', value: '000' },
];

describe('the Oracle Fusion read-back', () => {
  it('reads the account out of the combination by its segment, whatever the chart’s delimiter', () => {
    expect(accountOf('101.4000.000', { segments })).toBe('4000');
    expect(accountOf('101-4000-000', { segments })).toBe('4000');
    // A value holding a character that is not the delimiter: the delimiter is the one that splits right.
    expect(accountOf('1.1-4000-000', { segments })).toBe('4000');
    expect(accountOf('4000', { segments: [{ source: 'account' }] })).toBe('4000');
  });

  it('keeps a combination it cannot read as its own place, so that reconciliation shows it', () => {
    expect(accountOf('101.4000', { segments })).toBe('101.4000');
    expect(accountOf('1014000000', { segments })).toBe('1014000000');
  });

  it('states a journal’s total as its debits and each line as its debit less its credit', () => {
    const held = heldJournal(
      '7',
      [
        { combination: '101.1200.000', debit: '187', credit: '0' },
        { combination: '101.4000.000', debit: '0', credit: '150.55' },
        { combination: '101.2300.000', debit: '0', credit: '36.45' },
      ],
      { segments },
    );
    expect(held).toEqual({
      id: '7',
      total: '187',
      lines: [
        { place: '1200', amount: '187' },
        { place: '4000', amount: '-150.55' },
        { place: '2300', amount: '-36.45' },
      ],
    });
  });

  it('lists a batch under the external id its name carries, or none for a batch named otherwise', () => {
    expect(listedBatch({ id: '1', name: 'Meterbridge J-ONE', total: '187', source: 'Meterbridge' })).toEqual({
      id: '1',
      externalId: 'J-ONE',
      type: 'Meterbridge',
      total: '187',
    });
    expect(listedBatch({ id: '2', name: 'Accrual October', source: 'Manual' })).toEqual({
      id: '2',
      externalId: null,
      type: 'Manual',
    });
    expect(listedBatch({ id: '3', name: 'Meterbridge J-ONE copy' }).externalId).toBeNull();
    expect(listedBatch({ id: '4', name: 'Meterbridge J-ONE' }).type).toBe('Journal');
  });
});
