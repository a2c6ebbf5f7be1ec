import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { DeliveryFailure, type JournalEntry } from '../connector.js';
import type { BusinessCentralSettings } from './business-central-settings.js';

// Vendor-neutral journal entries as Business Central journal lines. A posting is one journal batch of
// its own (BC posts every line of a batch at once), whose code is made from the external id; each line
// carries the external id as its `documentNumber` (Code[20]), which is how the posted G/L entries are
// found again. Amounts travel as JSON numbers made from exact decimal text, refused here, before any
// request, when a double could not carry them or BC would round them. Sales documents are mapped in
// business-central-sales-mapping.ts.

export const invalid = (path: string, message: string) =>
  new DeliveryFailure('invalid', `cannot map to Business Central: ${message}`, { path, code: 'MAPPING' });

/** BC's document numbers: Code[20], upper case; Meterbridge's external ids are at most 16 of A-Z 0-9 -. */
export const EXTERNAL_ID = /^[A-Z0-9][A-Z0-9_-]{0,19}$/;

const DECIMAL_TEXT = /^-?\d{1,40}(\.\d{1,40})?$/;
/** Digits a double always carries exactly. */
const MAX_SIGNIFICANT_DIGITS = 15;
/** BC rounds amounts to the currency's precision (0.01) and unit amounts and quantities to 0.00001. */
export const AMOUNT_DECIMALS = 2;
export const UNIT_DECIMALS = 5;

/** Decimal text as a Decimal; a posting whose amount is not decimal text is refused at its path. */
export function decimalOf(value: string, path: string): Decimal {
  if (!DECIMAL_TEXT.test(value.trim()))
    throw invalid(path, `${path} is ${JSON.stringify(value)}, not a decimal number`);
  return new Decimal(value.trim());
}

/** Exact decimal as a JSON number BC reads to the same value, or undefined when it cannot be one. */
export function exactNumber(value: Decimal, maxDecimals: number): number | undefined {
  if (value.decimalPlaces() > maxDecimals || value.precision(true) > MAX_SIGNIFICANT_DIGITS) return undefined;
  const number = value.toNumber();
  return new Decimal(number).equals(value) ? number : undefined;
}

export function amountNumber(value: Decimal, path: string): number {
  const number = exactNumber(value, AMOUNT_DECIMALS);
  if (number === undefined)
    throw invalid(
      path,
      `${path} is ${value.toFixed()}: Business Central takes amounts to ${AMOUNT_DECIMALS} decimals and ${MAX_SIGNIFICANT_DIGITS} significant digits`,
    );
  return number;
}

/** Text cut to a BC field's length (Text[100], ...), on a character boundary. */
export const fit = (text: string, length: number): string => [...text].slice(0, length).join('');

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The code (Code[10]) of the journal batch a posting is built in: the target's prefix and base32 of a
 * SHA-256 of the external id, the same on every retry, so an attempt finds the batch an earlier one left.
 */
export function batchCodeFor(externalId: string, prefix: string): string {
  const digest = createHash('sha256').update(externalId).digest();
  let code = prefix;
  for (let bit = 0; code.length < 10; bit += 5) {
    const byte = bit >> 3;
    const value = ((digest[byte]! << 8) | (digest[byte + 1] ?? 0)) >> (11 - (bit & 7));
    code += BASE32[value & 31];
  }
  return code;
}

/** The batch's description: whose batch it is, for a person and for the connector's own check. */
export const batchDisplayName = (externalId: string): string => `Meterbridge ${externalId}`;

export interface JournalLineBody {
  lineNumber: number;
  accountType: 'G/L Account';
  accountNumber: string;
  postingDate: string;
  documentNumber: string;
  amount: number;
  description: string;
  balancingAccountNumber: '';
}

/** A dimension set line as the connector writes it: the BC dimension's code and the value's code. */
export interface DimensionSetLineBody {
  code: string;
  valueCode: string;
}

/** BC's Code[20] of a dimension value. */
const DIMENSION_VALUE_MAX = 20;

/**
 * Meterbridge dimensions as BC dimension set lines, by code: each under the BC dimension the target's
 * `settings.dimensions` maps it to, its value in upper case as BC stores codes. Refused before any
 * request (the catalog refuses the same when it is applied): a dimension the settings do not map, two
 * mapped to one BC dimension (a dimension set holds one value per dimension), a value past Code[20].
 */
export function toDimensionSetLines(
  dimensions: Readonly<Record<string, string>>,
  settings: BusinessCentralSettings,
  path: string,
): DimensionSetLineBody[] {
  const lines: DimensionSetLineBody[] = [];
  const taken = new Map<string, string>();
  for (const [dimension, value] of Object.entries(dimensions)) {
    const code = settings.dimensions[dimension];
    if (code === undefined)
      throw invalid(
        path,
        `${path}.${dimension} is a dimension the target's settings map to no Business Central dimension: add dimensions.${dimension} (a Business Central dimension code) to the settings, or remove it from the entity's accounting`,
      );
    const other = taken.get(code);
    if (other !== undefined)
      throw invalid(path, `${path}.${dimension} and ${other} both go to Business Central dimension ${code}`);
    taken.set(code, dimension);
    const valueCode = value.trim().toUpperCase();
    if (valueCode === '' || valueCode.length > DIMENSION_VALUE_MAX)
      throw invalid(
        path,
        `${path}.${dimension} is ${JSON.stringify(value.slice(0, 40))}: a Business Central dimension value code is 1 to ${DIMENSION_VALUE_MAX} characters (Code[20])`,
      );
    lines.push({ code, valueCode });
  }
  return lines.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Each journal line's dimension set lines, in the order of `toJournalLines`. */
export const toJournalDimensions = (entry: JournalEntry, settings: BusinessCentralSettings): DimensionSetLineBody[][] =>
  entry.lines.map((line, index) => toDimensionSetLines(line.dimensions, settings, `lines[${index}].dimensions`));

/**
 * The batch's lines: 10000, 20000, ... as BC numbers them, a debit as a positive amount and a credit as
 * a negative one. Refused before any request: a currency other than the company's own (API v2.0 journal
 * lines carry no currency), a dimension the settings map to no BC dimension, an entry that does not
 * balance. Each line's dimensions are its dimension set lines (`toJournalDimensions`).
 */
export function toJournalLines(entry: JournalEntry, settings: BusinessCentralSettings): JournalLineBody[] {
  if (!EXTERNAL_ID.test(entry.externalId))
    throw invalid('externalId', `external id ${entry.externalId} is not a document number (at most 20 of A-Z 0-9 _ -)`);
  if (entry.currency !== settings.localCurrency)
    throw invalid(
      'currency',
      `the entry is in ${entry.currency}, and journal lines of Business Central's API v2.0 post in the company's local currency (${settings.localCurrency}) only`,
    );
  if (entry.lines.length === 0) throw invalid('lines', 'the entry has no lines');
  let balance = new Decimal(0);
  const lines = entry.lines.map((line, index) => {
    const path = `lines[${index}]`;
    const debit = decimalOf(line.debit || '0', `${path}.debit`);
    const credit = decimalOf(line.credit || '0', `${path}.credit`);
    if (!debit.isZero() && !credit.isZero()) throw invalid(path, `${path} has both a debit and a credit`);
    toDimensionSetLines(line.dimensions, settings, `${path}.dimensions`);
    const account = line.account.trim().toUpperCase();
    if (account === '' || account.length > 20)
      throw invalid(`${path}.account`, `${path}.account must be a G/L account number (Code[20])`);
    const amount = debit.minus(credit);
    balance = balance.plus(amount);
    return {
      lineNumber: (index + 1) * 10000,
      accountType: 'G/L Account' as const,
      accountNumber: account,
      postingDate: entry.postingDate,
      documentNumber: entry.externalId,
      amount: amountNumber(amount, `${path}.amount`),
      description: fit(line.memo || entry.memo, 100),
      balancingAccountNumber: '' as const,
    };
  });
  if (!balance.isZero())
    throw invalid('lines', `the lines do not balance: debits exceed credits by ${balance.toFixed()}`);
  return lines;
}
