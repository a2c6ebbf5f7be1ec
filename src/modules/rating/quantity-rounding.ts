import { Decimal } from 'decimal.js';
import type { QuantityRounding } from '../catalog/index.js';
import { exact, type Exact } from '../../platform/money.js';

const MODES: Record<QuantityRounding['mode'], Decimal.Rounding> = {
  // Half away from zero, like money: 2.5 → 3, -2.5 → -3.
  round: Decimal.ROUND_HALF_UP,
  // Towards +∞ and −∞: a started unit is a unit (ceil), only whole units count (floor).
  ceil: Decimal.ROUND_CEIL,
  floor: Decimal.ROUND_FLOOR,
};

/**
 * The quantity a charge prices: the metered quantity divided by `divideBy`, rounded at `precision`
 * places (negative: to a multiple of 10^-precision). Exact: the division carries 60 significant
 * digits before the one rounding.
 */
export function roundQuantity(quantity: Exact, rounding: QuantityRounding | null): Exact {
  if (!rounding) return quantity;
  const converted = quantity.dividedBy(rounding.divideBy);
  if (rounding.precision >= 0) return converted.toDecimalPlaces(rounding.precision, MODES[rounding.mode]);
  const step = exact(10).pow(-rounding.precision);
  return converted.dividedBy(step).toDecimalPlaces(0, MODES[rounding.mode]).times(step);
}

/** How the rounding reads in a line's description: "÷ 1000, rounded up to whole units". */
export function describeRounding(rounding: QuantityRounding): string {
  const how = { round: 'rounded', ceil: 'rounded up', floor: 'rounded down' }[rounding.mode];
  const places =
    rounding.precision === 0
      ? 'whole units'
      : rounding.precision > 0
        ? `${rounding.precision} decimal place(s)`
        : `a multiple of ${exact(10).pow(-rounding.precision).toFixed()}`;
  return `${exact(rounding.divideBy).equals(1) ? '' : `÷ ${rounding.divideBy}, `}${how} to ${places}`;
}
