import { describe, expect, it } from 'vitest';
import { ISO_4217_MINOR_UNITS, isIso4217Currency, minorUnitDigits } from './iso-4217.js';

describe('ISO 4217', () => {
  it('knows each active currency and the digits of its minor unit', () => {
    expect([minorUnitDigits('USD'), minorUnitDigits('EUR'), minorUnitDigits('JPY'), minorUnitDigits('KWD'), minorUnitDigits('CLF')]).toEqual([2, 2, 0, 3, 4]);
  });

  it('refuses withdrawn, non-money and malformed codes, and names inherited from Object', () => {
    for (const code of ['HRK', 'SLL', 'XAU', 'XXX', 'usd', 'toString', '__proto__']) expect(isIso4217Currency(code), code).toBe(false);
    expect(minorUnitDigits('constructor')).toBeUndefined();
  });

  it('lists only three-letter codes with a minor unit of 0 to 4 digits', () => {
    for (const [code, digits] of Object.entries(ISO_4217_MINOR_UNITS)) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(digits);
    }
  });
});
