import { Decimal } from 'decimal.js';
import { DeliveryFailure, type JournalEntry, type PostingBody } from '../connector.js';
import { SAP_LENGTHS, type SapAssignmentField } from './sap-settings-schema.js';
import { companyCodeOf, type SapSettings } from './sap-settings.js';

// A Meterbridge journal entry as the `JournalEntry` of SAP's JournalEntryBulkCreateRequest: one item per
// line, a debit as DebitCreditCode S with a positive amount, a credit as H with a negative one (SAP signs
// the amount), the line's dimensions in the item's AccountAssignment, the external id in
// DocumentReferenceID (XBLNR, 16 characters). Texts longer than SAP's fields are cut to them (header 25,
// item 50); anything SAP cannot hold exactly is refused here, before any request, as `invalid`.

export interface SapAmount {
  '@_currencyCode': string;
  '#text': string;
}

export interface SapJournalItem {
  ReferenceDocumentItem: string;
  GLAccount: string;
  AmountInTransactionCurrency: SapAmount;
  DebitCreditCode: 'S' | 'H';
  DocumentItemText?: string;
  AccountAssignment?: Partial<Record<SapAssignmentField, string>>;
}

/** The fields in the order of SAP's schema (the XML is written in this order). */
export interface SapJournalEntry {
  OriginalReferenceDocumentType: 'BKPFF';
  BusinessTransactionType: 'RFBU';
  AccountingDocumentType: string;
  DocumentReferenceID: string;
  DocumentHeaderText: string;
  CreatedByUser?: string;
  CompanyCode: string;
  DocumentDate: string;
  PostingDate: string;
  Item: SapJournalItem[];
}

/** Meterbridge's external ids as DocumentReferenceID takes them (and an OData literal can quote them). */
export const DOCUMENT_REFERENCE = /^[A-Za-z0-9-]{1,16}$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DECIMAL_TEXT = /^\d{1,40}(\.\d{1,40})?$/;
/** SAP's amounts are CURR 23 with the currency's decimals: 20 digits before the point leave room for any. */
const MAX_INTEGER_DIGITS = 20;
const MAX_DECIMALS = 6;

export const invalid = (path: string, message: string) =>
  new DeliveryFailure('invalid', `cannot map to SAP: ${message}`, { path, code: 'MAPPING' });

/**
 * Text as an SAP field takes it: characters XML 1.0 cannot carry (controls but tab, line feed, carriage
 * return; lone surrogates) become spaces, and the text is cut to `max` UTF-16 units (ABAP counts so)
 * without splitting a pair.
 */
export function sapText(value: string, max: number): string {
  const clean = value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ' ')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, ' ');
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** An amount of a line as SAP's signed text, or undefined when the side is zero. */
function amountOf(value: string, path: string): Decimal | undefined {
  const trimmed = (value || '0').trim();
  if (!DECIMAL_TEXT.test(trimmed))
    throw invalid(path, `${path} is ${JSON.stringify(value)}, not a decimal number of at least zero`);
  const amount = new Decimal(trimmed);
  if (amount.isZero()) return undefined;
  if (amount.decimalPlaces() > MAX_DECIMALS || amount.truncated().toFixed().length > MAX_INTEGER_DIGITS)
    throw invalid(
      path,
      `${path} is ${value}: SAP takes at most ${MAX_INTEGER_DIGITS} digits before the point and ${MAX_DECIMALS} after`,
    );
  return amount;
}

export function toSapJournalEntry(body: PostingBody, settings: SapSettings): SapJournalEntry {
  if (body.type !== 'journal')
    throw invalid('type', `an SAP target takes journal entries only, not ${body.type} documents (journal mode)`);
  const entry: JournalEntry = body;
  if (!DOCUMENT_REFERENCE.test(entry.externalId))
    throw invalid(
      'externalId',
      `external id ${entry.externalId} does not fit DocumentReferenceID (at most ${SAP_LENGTHS.documentReferenceId} letters, digits and -)`,
    );
  if (!DATE.test(entry.postingDate)) throw invalid('postingDate', `postingDate ${entry.postingDate} is not YYYY-MM-DD`);
  const companyCode = companyCodeOf(settings, entry.legalEntity);
  const currency = settings.currencies[entry.currency] ?? entry.currency;
  if (!/^[A-Z0-9]{1,5}$/.test(currency)) throw invalid('currency', `currency ${currency} is not an SAP currency key`);
  const items: SapJournalItem[] = [];
  entry.lines.forEach((line, index) => {
    const path = `lines[${index}]`;
    const debit = amountOf(line.debit, `${path}.debit`);
    const credit = amountOf(line.credit, `${path}.credit`);
    if (debit && credit) throw invalid(path, `${path} has both a debit and a credit`);
    const amount = debit ?? credit?.negated();
    // A line of no amount moves nothing: SAP is not sent it.
    if (amount === undefined) return;
    if (!/^[A-Z0-9]{1,10}$/.test(line.account))
      throw invalid(
        `${path}.account`,
        `account ${JSON.stringify(line.account)} is not an SAP G/L account (1 to 10 capital letters or digits)`,
      );
    const item: SapJournalItem = {
      ReferenceDocumentItem: String(items.length + 1),
      GLAccount: line.account,
      AmountInTransactionCurrency: { '@_currencyCode': currency, '#text': amount.toFixed() },
      DebitCreditCode: debit ? 'S' : 'H',
    };
    const text = sapText(line.memo, SAP_LENGTHS.documentItemText);
    if (text.trim() !== '') item.DocumentItemText = text;
    const assignment: Partial<Record<SapAssignmentField, string>> = {};
    for (const [dimension, id] of Object.entries(line.dimensions)) {
      const field = settings.dimensions[dimension];
      if (field === undefined)
        throw invalid(
          `${path}.dimensions.${dimension}`,
          `dimension ${dimension} goes to no field of an SAP item (settings.dimensions)`,
        );
      if (assignment[field] !== undefined && assignment[field] !== id)
        throw invalid(`${path}.dimensions.${dimension}`, `two dimensions of ${path} go to ${field}`);
      assignment[field] = id;
    }
    if (Object.keys(assignment).length > 0) item.AccountAssignment = assignment;
    items.push(item);
  });
  if (items.length === 0) throw invalid('lines', 'the entry has no line with an amount');
  if (items.length > SAP_LENGTHS.items)
    throw invalid(
      'lines',
      `the entry has ${items.length} lines with an amount; an SAP document holds at most ${SAP_LENGTHS.items}`,
    );
  return {
    OriginalReferenceDocumentType: 'BKPFF',
    BusinessTransactionType: 'RFBU',
    AccountingDocumentType: settings.documentType,
    DocumentReferenceID: entry.externalId,
    DocumentHeaderText: sapText(entry.memo, SAP_LENGTHS.documentHeaderText),
    ...(settings.createdByUser === undefined ? {} : { CreatedByUser: settings.createdByUser }),
    CompanyCode: companyCode,
    DocumentDate: entry.postingDate,
    PostingDate: entry.postingDate,
    Item: items,
  };
}
