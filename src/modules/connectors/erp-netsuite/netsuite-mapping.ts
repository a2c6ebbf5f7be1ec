import { Decimal } from 'decimal.js';
import { DeliveryFailure, type ErpDocument, type JournalEntry, type PostingBody } from '../connector.js';

// Vendor-neutral postings as NetSuite REST records: a journal entry as `journalEntry` (lines under
// `line.items`), an invoice as `invoice` and a credit memo as `creditMemo` (lines under `item.items`).
// References are `{"id": "<internal id>"}`; the ids come from the catalog as NetSuite knows them and are
// not checked here, so an unknown one gets NetSuite's own refusal at its path. Amounts travel as JSON
// numbers, which NetSuite reads; they are made from exact decimal text and refused here, before any
// request, when a double could not carry them exactly (past 15 significant digits) or when they have
// more decimals than the field holds.

export type NetSuiteRecordType = 'journalEntry' | 'invoice' | 'creditMemo';
export type NetSuiteRecord = Record<string, unknown>;

export interface MappingOptions {
  /** ISO currency code -> NetSuite currency internal id; a code absent here is sent as the id itself. */
  currencies: Readonly<Record<string, string>>;
  /** Charge key -> NetSuite item internal id; a key absent here is sent as the id itself. */
  items?: Readonly<Record<string, string>>;
}

const RECORD_TYPES: Readonly<Record<PostingBody['type'], NetSuiteRecordType>> = {
  journal: 'journalEntry',
  invoice: 'invoice',
  credit_memo: 'creditMemo',
};

export const recordTypeOf = (body: PostingBody): NetSuiteRecordType => RECORD_TYPES[body.type];

/** NetSuite's external ids: letters, digits, `_` and `-` (a `|` is read as a multi-select delimiter). */
export const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** The dimensions a NetSuite line or header carries besides its subsidiary. */
const SEGMENTS = ['department', 'class', 'location'] as const;

/** Digits NetSuite's numbers keep, as working integrations observe; a double is exact up to 15 anyway. */
const MAX_SIGNIFICANT_DIGITS = 15;
/** Amounts are currency amounts (NetSuite's currencies have 0 or 2 decimals); quantities and rates have more. */
const AMOUNT_DECIMALS = 2;
const QUANTITY_DECIMALS = 8;
const RATE_DECIMALS = 8;
/** Working integrations keep quantities below 1e10. */
const MAX_QUANTITY = new Decimal('1e10');

const invalid = (path: string, message: string) =>
  new DeliveryFailure('invalid', `cannot map to NetSuite: ${message}`, { path, code: 'MAPPING' });

const DECIMAL_TEXT = /^-?\d{1,40}(\.\d{1,40})?$/;

/** Decimal text as a Decimal; a posting whose amount is not decimal text is refused at its path. */
function decimalOf(value: string, path: string): Decimal {
  if (!DECIMAL_TEXT.test(value.trim()))
    throw invalid(path, `${path} is ${JSON.stringify(value)}, not a decimal number`);
  return new Decimal(value.trim());
}

/** Exact decimal text as a JSON number NetSuite reads to the same value, or undefined if it cannot be one. */
function exactNumber(value: string, maxDecimals: number): number | undefined {
  if (!DECIMAL_TEXT.test(value.trim())) return undefined;
  const exact = new Decimal(value.trim());
  if (exact.decimalPlaces() > maxDecimals || exact.precision(true) > MAX_SIGNIFICANT_DIGITS) return undefined;
  const number = exact.toNumber();
  // Up to 15 significant digits a double always round-trips; checked all the same, it is cheap.
  return new Decimal(number).equals(exact) ? number : undefined;
}

function amount(value: string, path: string, maxDecimals = AMOUNT_DECIMALS): number {
  const number = exactNumber(value, maxDecimals);
  if (number === undefined)
    throw invalid(
      path,
      `${path} is ${value}: NetSuite takes at most ${maxDecimals} decimals and ${MAX_SIGNIFICANT_DIGITS} significant digits`,
    );
  return number;
}

const ref = (id: string) => ({ id });

function currency(code: string, options: MappingOptions) {
  return ref(options.currencies[code] ?? code);
}

function segments(dimensions: Record<string, string>, into: NetSuiteRecord): void {
  for (const key of SEGMENTS) if (dimensions[key]) into[key] = ref(dimensions[key]);
}

/** A journal entry has one subsidiary: the lines' (they all carry the entity's dimensions). */
function journalSubsidiary(entry: JournalEntry): string | undefined {
  const named = new Set(entry.lines.map((line) => line.dimensions.subsidiary).filter((id) => id !== undefined));
  if (named.size > 1)
    throw invalid('subsidiary', `the lines name subsidiaries ${[...named].join(', ')}; a journal entry has one`);
  return [...named][0];
}

export function toJournalEntryRecord(entry: JournalEntry, options: MappingOptions): NetSuiteRecord {
  const subsidiary = journalSubsidiary(entry);
  const items = entry.lines.map((line, index) => {
    const path = `line.items[${index}]`;
    const debit = decimalOf(line.debit || '0', `${path}.debit`);
    const credit = decimalOf(line.credit || '0', `${path}.credit`);
    if (!debit.isZero() && !credit.isZero()) throw invalid(path, `${path} has both a debit and a credit`);
    const item: NetSuiteRecord = { account: ref(line.account) };
    if (credit.isZero()) item.debit = amount(line.debit, `${path}.debit`);
    else item.credit = amount(line.credit, `${path}.credit`);
    if (line.memo) item.memo = line.memo;
    segments(line.dimensions, item);
    return item;
  });
  return {
    externalId: entry.externalId,
    ...(subsidiary === undefined ? {} : { subsidiary: ref(subsidiary) }),
    currency: currency(entry.currency, options),
    tranDate: entry.postingDate,
    memo: entry.memo,
    line: { items },
  };
}

/** An invoice or credit memo: the customer, the entity's dimensions, and one item line per document line. */
export function toSalesRecord(document: ErpDocument, options: MappingOptions): NetSuiteRecord {
  const items = document.lines.map((line, index) => {
    const path = `item.items[${index}]`;
    const item: NetSuiteRecord = { item: ref(options.items?.[line.item] ?? line.item) };
    if (line.quantity !== null) {
      const quantity = amount(line.quantity, `${path}.quantity`, QUANTITY_DECIMALS);
      if (new Decimal(quantity).abs().gte(MAX_QUANTITY))
        throw invalid(`${path}.quantity`, `${path}.quantity is ${line.quantity}: NetSuite takes less than 1e10`);
      item.quantity = quantity;
    }
    // A unit price too fine for NetSuite's rate is left out rather than rounded: the amount, exact, is
    // what reaches the ledger, and NetSuite shows the rate it derives from it.
    const rate = line.unitPrice === null ? undefined : exactNumber(line.unitPrice, RATE_DECIMALS);
    if (rate !== undefined) item.rate = rate;
    item.amount = amount(line.amount, `${path}.amount`);
    if (line.description) item.description = line.description;
    return item;
  });
  const record: NetSuiteRecord = {
    externalId: document.externalId,
    entity: ref(document.customer),
    ...(document.dimensions.subsidiary ? { subsidiary: ref(document.dimensions.subsidiary) } : {}),
    currency: currency(document.currency, options),
    tranDate: document.documentDate,
    memo: document.memo,
  };
  segments(document.dimensions, record);
  record.item = { items };
  return record;
}

/** The record a posting becomes; a DeliveryFailure('invalid') with the path when it cannot be one. */
export function toNetSuiteRecord(body: PostingBody, options: MappingOptions): NetSuiteRecord {
  if (!EXTERNAL_ID.test(body.externalId))
    throw invalid('externalId', `external id ${body.externalId} holds more than letters, digits, _ and -`);
  return body.type === 'journal' ? toJournalEntryRecord(body, options) : toSalesRecord(body, options);
}
