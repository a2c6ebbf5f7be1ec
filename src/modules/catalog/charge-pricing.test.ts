import { describe, expect, it } from 'vitest';
import type { Charge } from './catalog.js';
import { chargePrice, chargeSettings, checkChargePricing } from './charge-pricing.js';

function errorsOf(charge: Partial<Charge> & Pick<Charge, 'model'>): string[] {
  const errors: string[] = [];
  checkChargePricing(
    { key: 'c', meter: charge.model === 'flat' ? undefined : 'm', ...charge } as Charge,
    '',
    (path, message) => errors.push(`${path} ${message}`),
  );
  return errors;
}

describe('checkChargePricing', () => {
  it('accepts every model in its shorthand and object forms', () => {
    expect(
      errorsOf({ model: 'flat', prices: { USD: '500', EUR: { amount: '460' } }, config: { timing: 'in_arrears' } }),
    ).toEqual([]);
    expect(
      errorsOf({
        model: 'per_unit',
        prices: { USD: '0.002', EUR: { unitPrice: '0.0018', minimum: '10', maximum: '100' } },
        config: { freeUnits: '1000' },
      }),
    ).toEqual([]);
    expect(
      errorsOf({
        model: 'package',
        prices: { USD: '5' },
        config: { packageSize: '100', rounding: 'down', freeUnits: '100' },
      }),
    ).toEqual([]);
    const tiers = [
      { upTo: '10', unitPrice: '1', flatFee: '2' },
      { upTo: '20', flatFee: '3' },
      { upTo: null, unitPrice: '0.5' },
    ];
    expect(errorsOf({ model: 'graduated', prices: { USD: { tiers } } })).toEqual([]);
    expect(errorsOf({ model: 'volume', prices: { USD: { tiers } } })).toEqual([]);
    expect(
      errorsOf({
        model: 'percentage',
        prices: { USD: { fixedFeePerEvent: '0.30', minPerEvent: '0.5', maxPerEvent: '12' } },
        config: { rate: '2.9', freeEvents: 3, freeUnits: '250' },
      }),
    ).toEqual([]);
    expect(
      errorsOf({
        model: 'graduated_percentage',
        prices: {
          USD: {
            tiers: [
              { upTo: '1000', rate: '1', flatFee: '200' },
              { upTo: null, rate: '2' },
            ],
          },
        },
      }),
    ).toEqual([]);
  });

  it('refuses unsorted or overlapping tiers, and a last tier that is not open-ended', () => {
    const tiers = [
      { upTo: '20', unitPrice: '1' },
      { upTo: '10', unitPrice: '1' },
      { upTo: '10', unitPrice: '1' },
      { upTo: null, unitPrice: '1' },
      { upTo: '50', unitPrice: '1' },
    ];
    expect(errorsOf({ model: 'graduated', prices: { USD: { tiers } } })).toEqual([
      "/prices/USD/tiers/1/upTo must be greater than the previous tier's upTo (20): tiers are sorted and do not overlap",
      "/prices/USD/tiers/2/upTo must be greater than the previous tier's upTo (10): tiers are sorted and do not overlap",
      '/prices/USD/tiers/3/upTo only the last tier may be open-ended (upTo: null)',
      '/prices/USD/tiers/4/upTo the last tier must be open-ended (upTo: null), so every quantity has a price',
    ]);
    expect(errorsOf({ model: 'volume', prices: { USD: { tiers: [] } } })).toEqual([
      '/prices/USD/tiers must list at least one tier',
    ]);
    expect(
      errorsOf({ model: 'volume', prices: { USD: { tiers: [{ upTo: '0', unitPrice: '1' }, { upTo: null }] } } }),
    ).toEqual([
      '/prices/USD/tiers/0/upTo must be greater than 0',
      '/prices/USD/tiers/1 needs a unitPrice, a flatFee or both',
    ]);
  });

  it('refuses negative prices, percentages over 100, packages of size 0, and prices in no currency', () => {
    expect(errorsOf({ model: 'per_unit', prices: { USD: '-0.01', EUR: { unitPrice: '1', minimum: '-5' } } })).toEqual([
      '/prices/USD/unitPrice must not be negative',
      '/prices/EUR/minimum must not be negative',
    ]);
    expect(errorsOf({ model: 'percentage', prices: { USD: {} }, config: { rate: '100.5' } })).toEqual([
      '/config/rate is a percentage and must be at most 100',
    ]);
    expect(errorsOf({ model: 'percentage', prices: { USD: {} } })).toEqual([
      '/config/rate is required: the percent of the summed amount',
    ]);
    expect(
      errorsOf({ model: 'graduated_percentage', prices: { USD: { tiers: [{ upTo: null, rate: '101' }] } } }),
    ).toEqual(['/prices/USD/tiers/0/rate is a percentage and must be at most 100']);
    expect(errorsOf({ model: 'package', prices: { USD: '5' }, config: { packageSize: '0' } })).toEqual([
      '/config/packageSize must be greater than 0',
    ]);
    expect(errorsOf({ model: 'package', prices: { USD: '5' } })).toEqual([
      '/config/packageSize is required: how many units one package holds',
    ]);
    expect(errorsOf({ model: 'per_unit', prices: {} })).toEqual([
      '/prices must price the charge in at least one currency',
    ]);
  });

  it('refuses fields of another model, malformed amounts, limits the wrong way round, and a flat charge with a meter', () => {
    expect(
      errorsOf({ model: 'per_unit', prices: { USD: { unitPrice: '1,5', tiers: [] } }, config: { rate: '1' } }),
    ).toEqual([
      '/prices/USD/tiers is not a price field of a per_unit charge (allowed: unitPrice, minimum, maximum)',
      '/prices/USD/unitPrice must be a decimal string such as "0.25"',
      '/config/rate is not a setting of a per_unit charge (allowed: freeUnits, quantityRounding)',
    ]);
    expect(
      errorsOf({
        model: 'percentage',
        prices: { USD: { minPerEvent: '2', maxPerEvent: '1', minimum: '10', maximum: '5' } },
        config: { rate: '1', freeEvents: -1 },
      }),
    ).toEqual([
      '/prices/USD/maxPerEvent must not be below minPerEvent (2)',
      '/prices/USD/maximum must not be below minimum (10)',
      '/config/freeEvents must be a whole number of events, 0 or more',
    ]);
    expect(errorsOf({ model: 'flat', meter: 'm', prices: { USD: '1' }, config: { timing: 'later' } })).toEqual([
      '/config/timing must be "in_advance" or "in_arrears"',
      '/meter is not allowed: a flat charge is a fixed fee, not priced by usage',
    ]);
  });
});

describe('quantity rounding', () => {
  it('accepts a mode with an optional precision and unit conversion on unit-priced models', () => {
    for (const model of ['per_unit', 'graduated', 'volume'] as const) {
      const prices = { USD: model === 'per_unit' ? '1' : { tiers: [{ upTo: null, unitPrice: '1' }] } };
      expect(
        errorsOf({ model, prices, config: { quantityRounding: { mode: 'ceil', precision: -3, divideBy: '1000000' } } }),
      ).toEqual([]);
    }
    expect(
      errorsOf({
        model: 'package',
        prices: { USD: '5' },
        config: { packageSize: '10', quantityRounding: { mode: 'floor' } },
      }),
    ).toEqual([]);
    expect(
      chargeSettings({ key: 'c', model: 'per_unit', config: { quantityRounding: { mode: 'floor' } } }).quantityRounding,
    ).toEqual({ mode: 'floor', precision: 0, divideBy: '1' });
    expect(chargeSettings({ key: 'c', model: 'per_unit' }).quantityRounding).toBeNull();
  });

  it('refuses a missing or unknown mode, a fractional or huge precision, a divisor of 0, unknown fields and models that price amounts', () => {
    const config = (quantityRounding: unknown) => ({
      model: 'per_unit' as const,
      prices: { USD: '1' },
      config: { quantityRounding },
    });
    expect(errorsOf(config({ precision: 1.5, divideBy: '0', by: 3 }))).toEqual([
      '/config/quantityRounding/by is not a rounding setting (allowed: mode, precision, divideBy)',
      '/config/quantityRounding/mode is required: one of round, ceil, floor',
      '/config/quantityRounding/precision must be a whole number of decimal places from -18 to 18',
      '/config/quantityRounding/divideBy must be greater than 0',
    ]);
    expect(errorsOf(config({ mode: 'up', precision: 40 }))).toEqual([
      '/config/quantityRounding/mode is required: one of round, ceil, floor',
      '/config/quantityRounding/precision must be a whole number of decimal places from -18 to 18',
    ]);
    expect(errorsOf(config('ceil'))).toEqual([
      '/config/quantityRounding must be an object such as { mode: ceil, precision: 0, divideBy: "1000" }',
    ]);
    expect(errorsOf(config(null))).toEqual([
      '/config/quantityRounding must be an object such as { mode: ceil, precision: 0, divideBy: "1000" }',
    ]);
    expect(
      errorsOf({ model: 'percentage', prices: { USD: {} }, config: { rate: '1', quantityRounding: { mode: 'ceil' } } }),
    ).toEqual([
      '/config/quantityRounding is not a setting of a percentage charge (allowed: freeUnits, rate, freeEvents)',
    ]);
  });
});

describe('chargePrice and chargeSettings', () => {
  it('normalize shorthands and fill in defaults', () => {
    const charge: Charge = {
      key: 'c',
      meter: 'm',
      model: 'graduated',
      prices: {
        USD: {
          tiers: [
            { upTo: '10', unitPrice: '1' },
            { upTo: null, flatFee: '5' },
          ],
        },
      },
    };
    expect(chargePrice(charge, 'USD')).toEqual({
      model: 'graduated',
      tiers: [
        { upTo: '10', unitPrice: '1', flatFee: '0' },
        { upTo: null, unitPrice: '0', flatFee: '5' },
      ],
      minimum: null,
      maximum: null,
    });
    expect(chargePrice(charge, 'EUR')).toBeUndefined();
    expect(chargePrice({ key: 'f', model: 'flat', prices: { USD: '500' } }, 'USD')).toEqual({
      model: 'flat',
      amount: '500',
      minimum: null,
      maximum: null,
    });
    expect(chargeSettings(charge)).toEqual({
      quantityRounding: null,
      freeUnits: '0',
      packageSize: '1',
      rounding: 'up',
      rate: '0',
      freeEvents: 0,
      timing: 'in_advance',
    });
  });
});
