import { describe, expect, it } from 'vitest';
import { exact } from '../../../platform/money.js';
import { amountToApply, appliedBy } from './netsuite-credit-application.js';

describe('applying a credit memo', () => {
  it('applies all of the credit, or what is open when that is less, never below zero', () => {
    expect(amountToApply(exact('20.00'), exact('87.25')).toFixed(2)).toBe('20.00');
    expect(amountToApply(exact('10.00'), exact('7.25')).toFixed(2)).toBe('7.25');
    expect(amountToApply(exact('10.00'), exact('0')).toFixed(2)).toBe('0.00');
    expect(amountToApply(exact('10.00'), exact('-1')).toFixed(2)).toBe('0.00');
  });

  it("reads what a memo NetSuite holds applies to the invoice, from its apply sublist's applied lines", () => {
    const memo = {
      id: '201',
      apply: {
        items: [
          { doc: { id: '101' }, apply: true, amount: 12.5 },
          { doc: { id: '101' }, apply: false, amount: 99 },
          { doc: { id: '102' }, apply: true, amount: 3 },
          null,
          { doc: { id: '101' }, apply: true, amount: 'garbled' },
        ],
      },
    };
    expect(appliedBy(memo, '101').toFixed(2)).toBe('12.50');
    expect(appliedBy(undefined, '101').toFixed(2)).toBe('0.00');
    expect(appliedBy({ id: '201', apply: { links: [] } }, '101').toFixed(2)).toBe('0.00');
  });
});
