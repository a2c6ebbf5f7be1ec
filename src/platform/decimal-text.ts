import type { FieldError } from './errors.js';
import { MAX_JSON_DEPTH } from './hostile-json.js';
import { walkJson } from './json-walk.js';

/**
 * An exact decimal as text, the form amounts, quantities and rates take wherever they cross a
 * boundary (catalog files, API bodies): digits with an optional sign and fraction, no exponent — so a
 * YAML or JSON float never passes for money.
 */
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/**
 * The most significant digits a decimal may have: the precision of the arithmetic that prices it
 * (rating's `Exact`). A longer one would be rounded on first use, so it is refused where it is read.
 */
export const MAX_SIGNIFICANT_DIGITS = 60;

/** Digits from the first non-zero one to the last (of a DECIMAL_TEXT string, or a mantissa): "0.0120" has 2. */
export function significantDigits(text: string): number {
  const digits = text
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return digits.length;
}

export function precisionMessage(digits: number): string {
  return `has ${digits} significant digits; at most ${MAX_SIGNIFICANT_DIGITS} can be held exactly`;
}

/** A decimal string that can be computed with exactly: DECIMAL_TEXT within MAX_SIGNIFICANT_DIGITS. */
export function isDecimalText(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_TEXT.test(value) && significantDigits(value) <= MAX_SIGNIFICANT_DIGITS;
}

/** Why a decimal-looking string cannot be held exactly; undefined for any other string. */
export function decimalPrecisionProblem(text: string): string | undefined {
  if (!DECIMAL_TEXT.test(text)) return undefined;
  const digits = significantDigits(text);
  return digits > MAX_SIGNIFICANT_DIGITS ? precisionMessage(digits) : undefined;
}

/**
 * Every decimal string in a document (a catalog, a price preview) too precise to be held exactly, at
 * its path. Run before any rule computes with the values, so none is ever silently rounded.
 */
export function findImpreciseDecimals(document: unknown, base = ''): FieldError[] {
  return walkJson(document, { text: decimalPrecisionProblem }, { maxDepth: MAX_JSON_DEPTH, base });
}
