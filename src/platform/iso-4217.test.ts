import currencyCodes from 'currency-codes';
import { describe, expect, it } from 'vitest';
import { ISO_4217_MINOR_UNITS, isIso4217Currency, minorUnitDigits } from './iso-4217.js';

describe('ISO 4217', () => {
  it('knows each active currency and the digits of its minor unit', () => {
    expect([
      minorUnitDigits('USD'),
      minorUnitDigits('EUR'),
      minorUnitDigits('JPY'),
      minorUnitDigits('KWD'),
      minorUnitDigits('CLF'),
    ]).toEqual([2, 2, 0, 3, 4]);
  });

  it('refuses withdrawn, non-money and malformed codes, and names inherited from Object', () => {
    for (const code of ['HRK', 'SLL', 'XAU', 'XXX', 'usd', 'toString', '__proto__'])
      expect(isIso4217Currency(code), code).toBe(false);
    expect(minorUnitDigits('constructor')).toBeUndefined();
  });

  it('lists only three-letter codes with a minor unit of 0 to 4 digits', () => {
    for (const [code, digits] of Object.entries(ISO_4217_MINOR_UNITS)) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(digits);
    }
  });

  it('matches the published ISO 4217 List One, currency by currency and digit by digit, except where it is newer', () => {
    // currency-codes carries List One as published on 2024-06-25. Since then XCG replaced ANG (2025) and
    // Bulgaria joined the euro (BGN withdrawn, 2026); CUC left circulation in Cuba. Codes with no
    // minor unit (X.. precious metals, funds of the IMF, testing, "no currency") are not invoiceable.
    const published = Object.fromEntries(currencyCodes.data.map((currency) => [currency.code, currency.digits]));
    const notInvoiceable = Object.keys(published).filter(
      (code) => code.startsWith('X') && !['XAF', 'XCD', 'XOF', 'XPF'].includes(code),
    );
    const expected: Record<string, number> = { ...published, XCG: 2 };
    for (const code of ['ANG', 'BGN', 'CUC', ...notInvoiceable]) delete expected[code];
    expect(ISO_4217_MINOR_UNITS).toEqual(expected);
  });
});
