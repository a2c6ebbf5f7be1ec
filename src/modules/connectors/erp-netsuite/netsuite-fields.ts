import { Decimal } from 'decimal.js';
import { DeliveryFailure } from '../connector.js';

// Meterbridge values as NetSuite REST field values, shared by the journal entry and the invoice / credit
// memo mappings. Amounts travel as JSON numbers, which NetSuite reads; they are made from exact decimal
// text and refused here, before any request, when a double could not carry them exactly (past 15
// significant digits) or when they have more decimals than the field holds.

export type NetSuiteRecord = Record<string, unknown>;

export interface MappingOptions {
  /** ISO currency code -> NetSuite currency internal id; a code absent here is sent as the id itself. */
  currencies: Readonly<Record<string, string>>;
  /** Charge key -> NetSuite item internal id; a key absent here is sent as the id itself. */
  items?: Readonly<Record<string, string>>;
  /** The item a document's tax is posted with (invoice mode); a document with tax needs one. */
  taxItem?: string;
}

/** Digits NetSuite's numbers keep, as working integrations observe; a double is exact up to 15 anyway. */
const MAX_SIGNIFICANT_DIGITS = 15;
/** Amounts are currency amounts (NetSuite's currencies have 0 or 2 decimals); quantities and rates have more. */
export const AMOUNT_DECIMALS = 2;
export const QUANTITY_DECIMALS = 8;
export const RATE_DECIMALS = 8;
/** Working integrations keep quantities below 1e10. */
export const MAX_QUANTITY = new Decimal('1e10');

/** The dimensions a NetSuite line or header carries besides its subsidiary. */
const SEGMENTS = ['department', 'class', 'location'] as const;

export const invalid = (path: string, message: string) =>
  new DeliveryFailure('invalid', `cannot map to NetSuite: ${message}`, { path, code: 'MAPPING' });

const DECIMAL_TEXT = /^-?\d{1,40}(\.\d{1,40})?$/;

/** Decimal text as a Decimal; a posting whose amount is not decimal text is refused at its path. */
export function decimalOf(value: string, path: string): Decimal {
  if (!DECIMAL_TEXT.test(value.trim()))
    throw invalid(path, `${path} is ${JSON.stringify(value)}, not a decimal number`);
  return new Decimal(value.trim());
}

/** Exact decimal text as a JSON number NetSuite reads to the same value, or undefined if it cannot be one. */
export function exactNumber(value: string, maxDecimals: number): number | undefined {
  if (!DECIMAL_TEXT.test(value.trim())) return undefined;
  const exact = new Decimal(value.trim());
  if (exact.decimalPlaces() > maxDecimals || exact.precision(true) > MAX_SIGNIFICANT_DIGITS) return undefined;
  const number = exact.toNumber();
  // Up to 15 significant digits a double always round-trips; checked all the same, it is cheap.
  return new Decimal(number).equals(exact) ? number : undefined;
}

export function amount(value: string, path: string, maxDecimals = AMOUNT_DECIMALS): number {
  const number = exactNumber(value, maxDecimals);
  if (number === undefined)
    throw invalid(
      path,
      `${path} is ${value}: NetSuite takes at most ${maxDecimals} decimals and ${MAX_SIGNIFICANT_DIGITS} significant digits`,
    );
  return number;
}

export const ref = (id: string) => ({ id });

export function currency(code: string, options: MappingOptions) {
  return ref(options.currencies[code] ?? code);
}

export function segments(dimensions: Record<string, string>, into: NetSuiteRecord): void {
  for (const key of SEGMENTS) if (dimensions[key]) into[key] = ref(dimensions[key]);
}
