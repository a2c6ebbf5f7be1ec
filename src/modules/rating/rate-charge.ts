import { chargePrice, chargeSettings, type Charge, type ChargePrice, type ChargeSettings } from '../catalog/index.js';
import { isDecimalText } from '../../platform/decimal-text.js';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.js';
import { Exact, exact, ROUNDING_MODE, text, toMoney } from '../../platform/money.js';
import { missingPercentageInput, percentageLines, type PercentageUsage } from './percentage.js';
import type { RatingInput, RatingLine, RatingResult } from './rating.js';
import { describeRounding, roundQuantity } from './quantity-rounding.js';
import { reRate } from './re-rate.js';
import { graduatedLines, graduatedPercentageLines, volumeLines } from './tiers.js';

const MAX_EVENT_VALUES = 100_000;

function packageLines(
  quantity: Exact,
  price: Extract<ChargePrice, { model: 'package' }>,
  settings: ChargeSettings,
): RatingLine[] {
  const size = exact(settings.packageSize);
  const whole = quantity.dividedBy(size);
  const packages = settings.rounding === 'up' ? whole.ceil() : whole.floor();
  return [
    {
      kind: 'packages',
      description: `${text(packages)} package(s) of ${settings.packageSize} (${text(quantity)} units, rounded ${settings.rounding}) × ${price.packagePrice}`,
      quantity: text(packages),
      unitPrice: price.packagePrice,
      amount: text(packages.times(price.packagePrice)),
    },
  ];
}

/** The usage lines of one period's quantity, before minimum and maximum. */
/** Units priced after the free ones; negative usage (per-unit credits) is priced as it is. */
function billableOf(quantity: Exact, freeUnits: string): Exact {
  return quantity.isNegative() ? quantity : Exact.max(0, quantity.minus(freeUnits));
}

function usageLines(
  price: ChargePrice,
  settings: ChargeSettings,
  quantity: Exact,
  usage: PercentageUsage,
  proration: Exact,
): RatingLine[] {
  const billable = billableOf(quantity, settings.freeUnits);
  switch (price.model) {
    case 'flat': {
      const prorated = proration.equals(1) ? '' : ` × ${text(proration)} of the period`;
      return [
        {
          kind: 'flat_fee',
          description: `flat fee ${price.amount}${prorated}`,
          unitPrice: price.amount,
          amount: text(proration.times(price.amount)),
        },
      ];
    }
    case 'per_unit':
      return [
        {
          kind: 'units',
          description: `${text(billable)} × ${price.unitPrice}`,
          quantity: text(billable),
          unitPrice: price.unitPrice,
          amount: text(billable.times(price.unitPrice)),
        },
      ];
    case 'package':
      return packageLines(billable, price, settings);
    case 'graduated':
      return graduatedLines(billable, price.tiers);
    case 'volume':
      return volumeLines(billable, price.tiers);
    case 'percentage':
      return percentageLines(usage, price, settings);
    case 'graduated_percentage':
      return graduatedPercentageLines(quantity, price.tiers);
  }
}

const sum = (lines: readonly RatingLine[]) => lines.reduce((total, line) => total.plus(line.amount), exact(0));

/** A period's lines: usage, then the maximum (a cap) and the minimum (a shortfall), both prorated. */
function periodLines(
  price: ChargePrice,
  settings: ChargeSettings,
  quantity: Exact,
  usage: PercentageUsage,
  proration: Exact,
): RatingLine[] {
  const lines = usageLines(price, settings, quantity, usage, proration);
  if (price.maximum !== null) {
    const cap = proration.times(price.maximum);
    const over = sum(lines).minus(cap);
    if (over.greaterThan(0))
      lines.push({ kind: 'maximum', description: `capped at the maximum ${text(cap)}`, amount: text(over.negated()) });
  }
  if (price.minimum !== null) {
    const floor = proration.times(price.minimum);
    const short = floor.minus(sum(lines));
    if (short.greaterThan(0))
      lines.push({
        kind: 'minimum_shortfall',
        description: `shortfall to the minimum ${text(floor)}`,
        amount: text(short),
      });
  }
  return lines;
}

function readInput(
  charge: Charge,
  input: RatingInput,
): { quantity: Exact; values?: Exact[]; alreadyBilled?: Exact; proration: Exact } {
  const errors: FieldError[] = [];
  const decimal = (value: unknown, path: string, check?: (value: Exact) => string | undefined): Exact | undefined => {
    if (!isDecimalText(value) || value.length > 100) {
      errors.push({ path, message: 'must be a decimal string such as "1500" or "0.25"' });
      return undefined;
    }
    const parsed = exact(value);
    const problem = check?.(parsed);
    if (problem) errors.push({ path, message: problem });
    return problem ? undefined : parsed;
  };
  const nonNegative = (value: Exact) => (value.isNegative() ? 'must not be negative' : undefined);
  // Only a per-unit charge can price negative usage (credits, returns); tiers and packages cannot.
  const quantity = decimal(input.quantity, '/quantity', charge.model === 'per_unit' ? undefined : nonNegative);
  let values: Exact[] | undefined;
  if (input.eventValues !== undefined) {
    if (charge.model !== 'percentage')
      errors.push({
        path: '/eventValues',
        message: `only a percentage charge uses per-event values, not a ${charge.model} one`,
      });
    else if (input.eventValues.length > MAX_EVENT_VALUES)
      errors.push({ path: '/eventValues', message: `must list at most ${MAX_EVENT_VALUES} values` });
    else {
      const read = input.eventValues.map((value, i) => decimal(value, `/eventValues/${i}`, nonNegative));
      // Summed only when every value could be read: a refused value is its own error, not a wrong sum.
      if (read.every((value) => value !== undefined)) values = read as Exact[];
    }
  }
  if (values && quantity && !values.reduce((total, value) => total.plus(value), exact(0)).equals(quantity)) {
    errors.push({ path: '/quantity', message: 'must equal the sum of eventValues' });
  }
  if (input.eventCount !== undefined && !(Number.isSafeInteger(input.eventCount) && input.eventCount >= 0)) {
    errors.push({ path: '/eventCount', message: 'must be a whole number, 0 or more' });
  }
  let alreadyBilled: Exact | undefined;
  if (input.alreadyBilled !== undefined) {
    if (charge.model === 'flat' || charge.model === 'percentage')
      errors.push({ path: '/alreadyBilled', message: `a ${charge.model} charge is not re-rated by quantity` });
    else alreadyBilled = decimal(input.alreadyBilled, '/alreadyBilled', nonNegative);
  }
  const proration =
    input.proration === undefined
      ? exact(1)
      : decimal(input.proration, '/proration', (value) =>
          value.isNegative() || value.greaterThan(1) ? 'must be from 0 to 1' : undefined,
        );
  if (errors.length > 0 || !quantity || !proration) throw new ValidationError('cannot rate this usage', errors);
  return { quantity, values, alreadyBilled, proration };
}

/**
 * Prices one charge for one period in one currency: exact lines that explain the amount, their exact
 * sum, and that sum rounded once to the currency's minor unit. The same function serves the billing
 * run and the price preview, so a quote and an invoice can never disagree.
 */
export function rateCharge(charge: Charge, currency: string, input: RatingInput): RatingResult {
  const price = chargePrice(charge, currency);
  if (!price)
    throw new NotFoundError(
      `charge ${charge.key} has no ${currency} price (it is priced in ${Object.keys(charge.prices ?? {}).join(', ') || 'no currency'})`,
    );
  const settings = chargeSettings(charge);
  const { quantity, values, alreadyBilled, proration } = readInput(charge, input);
  const usage: PercentageUsage = { total: quantity, values, count: values?.length ?? input.eventCount };
  if (price.model === 'percentage') {
    const missing = missingPercentageInput(usage, price, settings);
    if (missing) throw new ValidationError('cannot rate this usage', [{ path: '/eventValues', message: missing }]);
  }
  const rated = (metered: Exact): RatingResult => {
    const units = roundQuantity(metered, settings.quantityRounding);
    const lines = periodLines(price, settings, units, usage, proration);
    const total = sum(lines);
    const unitPriced = price.model !== 'percentage' && price.model !== 'graduated_percentage' && price.model !== 'flat';
    return {
      model: charge.model,
      currency,
      quantity: text(metered),
      ratedQuantity: text(units),
      ...(settings.quantityRounding ? { quantityRounding: describeRounding(settings.quantityRounding) } : {}),
      billableQuantity: text(unitPriced ? billableOf(units, settings.freeUnits) : units),
      lines,
      exactAmount: text(total),
      amount: toMoney(total, currency),
      rounding: ROUNDING_MODE,
    };
  };
  if (!alreadyBilled) return rated(quantity);
  // What the billed quantity cost is what its invoice line billed: rounded once, like any line.
  const billed = { quantity: text(alreadyBilled), amount: rated(alreadyBilled).amount };
  return reRate(rated(quantity), billed, `less what ${text(alreadyBilled)} cost, billed earlier in the period`);
}
