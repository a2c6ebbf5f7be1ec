import { describe, expect, it } from 'vitest';
import type { Charge, ChargeModel } from '../catalog/index.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { rateCharge } from './rate-charge.js';
import type { RatingInput } from './rating.js';

// Worked examples from the published pricing documentation and test suites of Stripe, OpenMeter and
// Lago (docs/pricing.md cites each); amounts are the exact sums before rounding unless noted.

function charge(model: ChargeModel, price: string | Record<string, unknown>, config?: Record<string, unknown>): Charge {
  return {
    key: 'c',
    meter: model === 'flat' ? undefined : 'm',
    model,
    prices: { USD: price, JPY: price, KWD: price },
    config,
  };
}

function errorsOf(work: () => unknown): unknown[] {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('expected a refusal');
}

const rate = (c: Charge, input: RatingInput | string, currency = 'USD') =>
  rateCharge(c, currency, typeof input === 'string' ? { quantity: input } : input);
const exactOf = (c: Charge, input: RatingInput | string) => rate(c, input).exactAmount;

const stripeTiers = [
  { upTo: '5', unitPrice: '7' },
  { upTo: '10', unitPrice: '6.5' },
  { upTo: null, unitPrice: '6' },
];

describe('graduated', () => {
  it("matches Stripe's documented tier table (5 → 35, 6 → 41.5, 20 → 127.5, 25 → 157.5)", () => {
    const c = charge('graduated', { tiers: stripeTiers });
    expect(['5', '6', '20', '25'].map((q) => exactOf(c, q))).toEqual(['35', '41.5', '127.5', '157.5']);
  });

  it("matches Lago's suite: a tier's flat fee once reached, a bound stays in its tier, quantity 0 pays the first flat fee", () => {
    const c = charge('graduated', {
      tiers: [
        { upTo: '10', unitPrice: '10', flatFee: '2' },
        { upTo: '20', unitPrice: '5', flatFee: '3' },
        { upTo: null, unitPrice: '5', flatFee: '3' },
      ],
    });
    expect(['0', '1', '10', '11', '12', '21'].map((q) => exactOf(c, q))).toEqual([
      '2',
      '12',
      '102',
      '110',
      '115',
      '163',
    ]);
  });

  it("matches OpenMeter's suite, fractional quantities included (5.001 reaches tier 2)", () => {
    const c = charge('graduated', {
      tiers: [
        { upTo: '5', flatFee: '100' },
        { upTo: '10', flatFee: '50' },
        { upTo: '15', unitPrice: '10' },
        { upTo: null, unitPrice: '5' },
      ],
    });
    expect(['0', '3', '5', '5.001', '7', '12', '22'].map((q) => exactOf(c, q))).toEqual([
      '100',
      '100',
      '100',
      '150',
      '150',
      '170',
      '235',
    ]);
  });

  it('explains each tier with its bounds', () => {
    const result = rate(charge('graduated', { tiers: stripeTiers }), '12');
    expect(result.lines).toEqual([
      {
        kind: 'tier_units',
        description: 'tier 1: 5 × 7',
        quantity: '5',
        unitPrice: '7',
        tier: 1,
        from: '0',
        upTo: '5',
        amount: '35',
      },
      {
        kind: 'tier_units',
        description: 'tier 2: 5 × 6.5',
        quantity: '5',
        unitPrice: '6.5',
        tier: 2,
        from: '5',
        upTo: '10',
        amount: '32.5',
      },
      {
        kind: 'tier_units',
        description: 'tier 3: 2 × 6',
        quantity: '2',
        unitPrice: '6',
        tier: 3,
        from: '10',
        upTo: null,
        amount: '12',
      },
    ]);
    expect(result.amount).toBe('79.50');
  });
});

describe('volume', () => {
  it("matches Stripe's documented example (6 units all at 6.50 → 39) and the rest of its table", () => {
    const c = charge('volume', { tiers: stripeTiers });
    expect(['1', '5', '6', '20', '25'].map((q) => exactOf(c, q))).toEqual(['7', '35', '39', '120', '150']);
  });

  it("matches Lago's suite: only the matched tier's flat fee, quantity 0 pays the first tier's", () => {
    const c = charge('volume', {
      tiers: [
        { upTo: '100', unitPrice: '2', flatFee: '10' },
        { upTo: '200', unitPrice: '1' },
        { upTo: null, unitPrice: '0.5', flatFee: '50' },
      ],
    });
    expect(['0', '1', '100', '100.5', '101', '200', '300'].map((q) => exactOf(c, q))).toEqual([
      '10',
      '12',
      '210',
      '100.5',
      '101',
      '200',
      '200',
    ]);
  });

  it("matches OpenMeter's suite (15 → 150 in tier 3, 16 → 80 in tier 4)", () => {
    const c = charge('volume', {
      tiers: [
        { upTo: '5', flatFee: '100' },
        { upTo: '10', flatFee: '150' },
        { upTo: '15', unitPrice: '10' },
        { upTo: null, unitPrice: '5' },
      ],
    });
    expect(['0', '3', '14', '15', '16', '100'].map((q) => exactOf(c, q))).toEqual([
      '100',
      '100',
      '140',
      '150',
      '80',
      '500',
    ]);
  });
});

describe('package', () => {
  it("matches Stripe's transform-quantity examples, rounding up or down", () => {
    const perFive = charge('package', '10', { packageSize: '5' });
    expect(['1', '3', '5', '6', '7'].map((q) => exactOf(perFive, q))).toEqual(['10', '10', '10', '20', '20']);
    expect(exactOf(charge('package', '10', { packageSize: '60' }), '150')).toBe('30');
    expect(['4', '6'].map((q) => exactOf(charge('package', '10', { packageSize: '5', rounding: 'down' }), q))).toEqual([
      '0',
      '10',
    ]);
  });

  it("matches Lago's suite: free units come off before packaging", () => {
    expect(exactOf(charge('package', '100', { packageSize: '10' }), '121')).toBe('1300');
    expect(exactOf(charge('package', '100', { packageSize: '10', freeUnits: '10' }), '121')).toBe('1200');
    expect(exactOf(charge('package', '100', { packageSize: '10', freeUnits: '200' }), '121')).toBe('0');
    expect(exactOf(charge('package', '5', { packageSize: '100', freeUnits: '100' }), '201')).toBe('10');
    expect(exactOf(charge('package', '15', { packageSize: '10' }), '0')).toBe('0');
  });
});

describe('per unit and flat', () => {
  it('multiplies exactly and rounds once, half away from zero', () => {
    expect(rate(charge('per_unit', '0.05'), '1000')).toMatchObject({ exactAmount: '50', amount: '50.00' });
    // Stripe's decimal-amounts example: 30 × 0.0005 = 0.015 → 0.02.
    expect(rate(charge('per_unit', '0.0005'), '30')).toMatchObject({ exactAmount: '0.015', amount: '0.02' });
    expect(rate(charge('per_unit', '0.0005'), '-30')).toMatchObject({ exactAmount: '-0.015', amount: '-0.02' });
    expect(rate(charge('per_unit', '0.1'), '3')).toMatchObject({ exactAmount: '0.3', amount: '0.30' });
    expect(rate(charge('per_unit', '1.5'), '3', 'JPY')).toMatchObject({ exactAmount: '4.5', amount: '5' });
    expect(rate(charge('per_unit', '0.0005'), '1', 'KWD')).toMatchObject({ amount: '0.001' });
    expect(rate(charge('per_unit', '0.002', { freeUnits: '1000000' }), '1000001')).toMatchObject({
      billableQuantity: '1',
      exactAmount: '0.002',
    });
  });

  it('prorates a flat fee by the share of the period', () => {
    expect(rate(charge('flat', '31'), { quantity: '0', proration: '0.5' })).toMatchObject({
      exactAmount: '15.5',
      amount: '15.50',
    });
    // Lago: 100 cents a month, 17 of 31 days → 54.8387… → 0.55.
    expect(rate(charge('flat', '1.00'), { quantity: '0', proration: '0.548387096774193548387' }).amount).toBe('0.55');
  });
});

describe('percentage (Lago)', () => {
  const events = ['50', '100', '250', '400'];
  const base = (price: Record<string, unknown>, config: Record<string, unknown>) =>
    charge('percentage', price, { rate: '1.3', ...config });

  it("matches Lago's suite without per-event limits", () => {
    expect(
      exactOf(base({ fixedFeePerEvent: '2' }, { freeEvents: 3, freeUnits: '250' }), {
        quantity: '800',
        eventValues: events,
      }),
    ).toBe('11.15');
    expect(exactOf(base({ fixedFeePerEvent: '2' }, { freeEvents: 3 }), { quantity: '800', eventValues: events })).toBe(
      '7.2',
    );
    expect(
      exactOf(base({ fixedFeePerEvent: '2' }, { freeEvents: 3, freeUnits: '500' }), {
        quantity: '800',
        eventValues: events,
      }),
    ).toBe('7.2');
    expect(exactOf(base({ fixedFeePerEvent: '2' }, {}), { quantity: '800', eventCount: 4 })).toBe('18.4');
    expect(
      exactOf(charge('percentage', { fixedFeePerEvent: '2' }, { rate: '0' }), { quantity: '800', eventCount: 4 }),
    ).toBe('8');
    expect(exactOf(charge('percentage', {}, { rate: '2.9' }), '4')).toBe('0.116');
    expect(exactOf(base({ fixedFeePerEvent: '2' }, {}), { quantity: '0', eventCount: 4 })).toBe('0');
    expect(exactOf(base({ fixedFeePerEvent: '2' }, { freeEvents: 5 }), { quantity: '800', eventValues: events })).toBe(
      '0',
    );
  });

  it("matches Lago's suite with per-event minimum and maximum", () => {
    const limited = (price: Record<string, unknown>, config: Record<string, unknown> = {}) =>
      charge('percentage', { minPerEvent: '1.75', maxPerEvent: '12', ...price }, { rate: '2.99', ...config });
    const input = { quantity: '10090', eventValues: ['10', '80', '10000'] };
    expect(exactOf(limited({}), input)).toBe('16.142');
    expect(exactOf(limited({ fixedFeePerEvent: '2' }), input)).toBe('18.691');
    expect(exactOf(limited({}, { freeEvents: 2 }), input)).toBe('12');
    expect(exactOf(limited({}, { freeUnits: '30' }), input)).toBe('13.794');
    expect(exactOf(limited({}, { freeEvents: 3, freeUnits: '10000' }), input)).toBe('2.691');
    // Whichever is used up first: the first event uses up the free 10, so the two free events left pay.
    expect(exactOf(limited({}, { freeEvents: 3, freeUnits: '10' }), input)).toBe('14.392');
    expect(exactOf(limited({}, { freeEvents: 1, freeUnits: '10000' }), input)).toBe('14.392');
    expect(rate(limited({}), input).lines.map((line) => line.kind)).toEqual(['percentage', 'per_event_limits']);
  });

  it('asks for what it needs', () => {
    const needsValues = () =>
      rate(base({ fixedFeePerEvent: '2' }, { freeEvents: 1 }), { quantity: '800', eventCount: 4 });
    expect(needsValues).toThrow(ValidationError);
    expect(errorsOf(() => rate(base({ fixedFeePerEvent: '2' }, {}), '800'))).toEqual([
      { path: '/eventValues', message: 'the number of events is needed for the fixed fee per event' },
    ]);
  });
});

describe('graduated percentage (Lago)', () => {
  it("matches Lago's suite and its documented cumulative example", () => {
    const c = charge('graduated_percentage', {
      tiers: [
        { upTo: '10', rate: '1', flatFee: '200' },
        { upTo: '20', rate: '2', flatFee: '300' },
        { upTo: null, rate: '3', flatFee: '400' },
      ],
    });
    expect(['0', '1', '10', '11', '12'].map((q) => exactOf(c, q))).toEqual([
      '200',
      '200.01',
      '200.1',
      '500.12',
      '500.14',
    ]);
    const doc = charge('graduated_percentage', {
      tiers: [
        { upTo: '1000', rate: '1', flatFee: '200' },
        { upTo: '10000', rate: '2', flatFee: '300' },
        { upTo: null, rate: '3', flatFee: '400' },
      ],
    });
    expect(['500', '1050', '5050'].map((q) => exactOf(doc, q))).toEqual(['205', '511', '591']);
  });
});

describe('minimum, maximum and re-rating', () => {
  it('adds a shortfall line up to the (prorated) minimum and caps at the maximum', () => {
    const c = charge('per_unit', { unitPrice: '1', minimum: '10', maximum: '100' });
    expect(rate(c, '7').lines.at(-1)).toEqual({
      kind: 'minimum_shortfall',
      description: 'shortfall to the minimum 10',
      amount: '3',
    });
    expect(rate(c, '7').exactAmount).toBe('10');
    expect(rate(c, { quantity: '2', proration: '0.5' }).exactAmount).toBe('5');
    expect(rate(c, '150').lines.at(-1)).toEqual({
      kind: 'maximum',
      description: 'capped at the maximum 100',
      amount: '-50',
    });
    // Lago: a 10.00 minimum over 15 of 31 days with 2.00 used → 4.8387… → 2.84 shortfall.
    expect(rate(c, { quantity: '2', proration: '0.4838709677419354838709677' }).amount).toBe('4.84');
  });

  it('re-rates cumulatively: late units that cross a tier cost the difference of the totals', () => {
    const c = charge('graduated', { tiers: stripeTiers });
    const result = rate(c, { quantity: '12', alreadyBilled: '4' });
    expect(result.exactAmount).toBe('51.5'); // 79.5 − 28
    expect(result.lines.at(-1)).toMatchObject({ kind: 'already_billed', quantity: '4', amount: '-28' });
    // Volume can go down: 6 units cost 39, 5 cost 35; one more unit beyond 5 costs 4.
    expect(rate(charge('volume', { tiers: stripeTiers }), { quantity: '6', alreadyBilled: '5' }).exactAmount).toBe('4');
  });
});

describe('quantity rounding', () => {
  const rounded = (
    model: ChargeModel,
    price: string | Record<string, unknown>,
    quantityRounding: Record<string, unknown>,
    config: Record<string, unknown> = {},
  ) => charge(model, price, { ...config, quantityRounding });

  it("rounds the period's quantity before pricing: Lago's billable-metric rounding (round, ceil, floor at a precision)", () => {
    const perHour = (mode: string, precision?: number) => rounded('per_unit', '10', { mode, precision });
    expect(['round', 'ceil', 'floor'].map((mode) => rate(perHour(mode), '2.5').exactAmount)).toEqual([
      '30',
      '30',
      '20',
    ]);
    expect(['round', 'ceil', 'floor'].map((mode) => rate(perHour(mode, 1), '2.25').exactAmount)).toEqual([
      '23',
      '23',
      '22',
    ]);
    // Negative precision rounds to tens: 1,234 → 1,230 (round), 1,240 (ceil).
    expect(rate(rounded('per_unit', '1', { mode: 'round', precision: -1 }), '1234').ratedQuantity).toBe('1230');
    expect(rate(rounded('per_unit', '1', { mode: 'ceil', precision: -1 }), '1234').ratedQuantity).toBe('1240');
    // Half away from zero, like money.
    expect(rate(perHour('round'), '-2.5').ratedQuantity).toBe('-3');
  });

  it("converts units first, OpenMeter's divide-then-ceil: 1,234,567 tokens at 2.00 per started million cost 4.00", () => {
    const result = rate(rounded('per_unit', '2', { mode: 'ceil', divideBy: '1000000' }), '1234567');
    expect(result).toMatchObject({
      quantity: '1234567',
      ratedQuantity: '2',
      billableQuantity: '2',
      exactAmount: '4',
      quantityRounding: '÷ 1000000, rounded up to whole units',
    });
    // Free units and tiers apply to the rounded quantity.
    expect(
      rate(rounded('graduated', { tiers: stripeTiers }, { mode: 'ceil', divideBy: '1000' }, { freeUnits: '1' }), '5500')
        .exactAmount,
    ).toBe('35');
  });

  it('re-rates late usage on the rounded new total: 900 billed as 1 thousand, 300 late make 2 thousands', () => {
    const c = rounded('per_unit', '5', { mode: 'ceil', divideBy: '1000' });
    expect(rate(c, { quantity: '1200', alreadyBilled: '900' }).amount).toBe('5.00');
    expect(rate(c, { quantity: '950', alreadyBilled: '900' }).amount).toBe('0.00');
    // docs/pricing.md's worked example: 1,234,567 tokens billed at 2.00 per started million.
    const perMillion = rounded('per_unit', '2', { mode: 'ceil', divideBy: '1000000' });
    expect([
      rate(perMillion, { quantity: '1934567', alreadyBilled: '1234567' }).amount,
      rate(perMillion, { quantity: '2034567', alreadyBilled: '1234567' }).amount,
    ]).toEqual(['0.00', '2.00']);
    expect(rate(rounded('per_unit', '1', { mode: 'floor', precision: 1 }), '2.25').ratedQuantity).toBe('2.2');
  });

  it('prices as metered without rounding', () => {
    expect(rate(charge('per_unit', '1'), '2.5')).toMatchObject({ quantity: '2.5', ratedQuantity: '2.5' });
    expect(rate(charge('per_unit', '1'), '2.5').quantityRounding).toBeUndefined();
  });
});

describe('re-rating rounds as the invoices did', () => {
  it('takes what the billed quantity cost as its line billed it, rounded: 666 at 0.001 with 333 billed is 0.67 − 0.33', () => {
    const result = rate(charge('per_unit', { unitPrice: '0.001' }), { quantity: '666', alreadyBilled: '333' });
    expect(result.amount).toBe('0.34');
    expect(result.lines.at(-1)).toMatchObject({ kind: 'already_billed', quantity: '333', amount: '-0.33' });
    // The period's invoice line and this adjustment add up to what the whole quantity costs.
    expect([
      rate(charge('per_unit', { unitPrice: '0.001' }), '333').amount,
      rate(charge('per_unit', { unitPrice: '0.001' }), '666').amount,
    ]).toEqual(['0.33', '0.67']);
  });
});

describe('bad usage input', () => {
  it('names every bad field', () => {
    const c = charge('graduated', { tiers: stripeTiers });
    expect(
      errorsOf(() => rate(c, { quantity: '-1', eventValues: ['1'], alreadyBilled: 'x', proration: '1.5' })),
    ).toEqual([
      { path: '/quantity', message: 'must not be negative' },
      { path: '/eventValues', message: 'only a percentage charge uses per-event values, not a graduated one' },
      { path: '/alreadyBilled', message: 'must be a decimal string such as "1500" or "0.25"' },
      { path: '/proration', message: 'must be from 0 to 1' },
    ]);
    expect(() => rate(c, '1e5')).toThrow(ValidationError);
    expect(() => rate(c, '5', 'EUR')).toThrow(NotFoundError);
    expect(
      errorsOf(() => rate(charge('percentage', {}, { rate: '1' }), { quantity: '5', eventValues: ['1', '2'] })),
    ).toEqual([{ path: '/quantity', message: 'must equal the sum of eventValues' }]);
    expect(
      errorsOf(() => rate(charge('percentage', {}, { rate: '1' }), { quantity: '5', eventValues: ['1', 'x'] })),
    ).toEqual([{ path: '/eventValues/1', message: 'must be a decimal string such as "1500" or "0.25"' }]);
  });
});
