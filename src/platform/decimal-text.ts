/**
 * An exact decimal as text, the form amounts, quantities and rates take wherever they cross a
 * boundary (catalog files, API bodies): digits with an optional sign and fraction, no exponent — so a
 * YAML or JSON float never passes for money.
 */
export const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

export function isDecimalText(value: unknown): value is string {
  return typeof value === 'string' && DECIMAL_TEXT.test(value);
}
