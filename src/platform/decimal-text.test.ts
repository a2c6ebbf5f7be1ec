import { describe, expect, it } from 'vitest';
import {
  decimalPrecisionProblem,
  findImpreciseDecimals,
  isDecimalText,
  MAX_SIGNIFICANT_DIGITS,
  significantDigits,
} from './decimal-text.js';
import { Exact } from './money.js';

const digits = (count: number) => `0.${'1'.repeat(count)}`;

describe('decimal precision', () => {
  // The one place the two meet: the limit here must be the precision rating computes with.
  it("is the precision of the arithmetic that prices (rating's Exact)", () => {
    expect(MAX_SIGNIFICANT_DIGITS).toBe(Exact.precision);
  });

  it('counts significant digits: leading and trailing zeros are not', () => {
    expect(significantDigits('0.0120')).toBe(2);
    expect(significantDigits('-1000')).toBe(1);
    expect(significantDigits('0')).toBe(0);
    expect(significantDigits('10.01')).toBe(4);
  });

  it('accepts 60 significant digits and refuses 61, saying the limit', () => {
    expect(isDecimalText(digits(60))).toBe(true);
    expect(isDecimalText(digits(61))).toBe(false);
    expect(isDecimalText(`1${'0'.repeat(100)}`)).toBe(true);
    expect(decimalPrecisionProblem(digits(61))).toBe('has 61 significant digits; at most 60 can be held exactly');
    expect(decimalPrecisionProblem('not a number')).toBeUndefined();
  });

  it('finds every too precise decimal string of a document at its path', () => {
    expect(
      findImpreciseDecimals(
        { quantity: digits(61), prices: { USD: { tiers: [{ unitPrice: '1' }, { unitPrice: digits(70) }] } } },
        '/charge',
      ),
    ).toEqual([
      { path: '/charge/quantity', message: 'has 61 significant digits; at most 60 can be held exactly' },
      {
        path: '/charge/prices/USD/tiers/1/unitPrice',
        message: 'has 70 significant digits; at most 60 can be held exactly',
      },
    ]);
  });
});
