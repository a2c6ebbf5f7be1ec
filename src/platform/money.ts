import { Decimal } from 'decimal.js';
import { minorUnitDigits } from './iso-4217.js';

/**
 * The decimal type of all money and quantity arithmetic: 60 significant digits, so products of prices with many
 * places and large quantities stay exact, and the few divisions (packages, percentages, proration)
 * carry far more digits than any currency. Rounding to money happens once per invoice line, half away
 * from zero (commercial rounding: 0.125 -> 0.13, -0.125 -> -0.13).
 */
export const Exact = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export type Exact = Decimal;

export const ROUNDING_MODE = 'half_away_from_zero';

export const exact = (value: Decimal.Value): Decimal => new Exact(value);

/** The amount rounded to the currency's minor unit (ISO 4217), as a fixed-point string: "12.30", "1200" (JPY). */
export function toMoney(amount: Decimal, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === undefined) throw new Error(`${currency} is not an ISO 4217 currency with a minor unit`);
  return amount.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).toFixed(digits);
}

/** Exact text without exponent or trailing zeros ("0.5", "1200"). */
export const text = (value: Decimal): string => value.toFixed();
