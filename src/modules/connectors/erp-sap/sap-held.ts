import { Decimal } from 'decimal.js';
import { DeliveryFailure, type HeldDocument, type ListedDocument } from '../connector.js';

// The item cube's rows (one per journal entry item) put back together as the journal entries SAP holds:
// each entry's key, reference, type and items, in the terms Meterbridge sent them: an item's G/L account
// and its signed amount in transaction currency (SAP signs it: a debit positive, a credit negative), and
// the entry's total as its debits. Rows are grouped by the entry's key, so two entries under one reference
// stay two, and an item read twice (pages of a ledger that moved between them) counts once.

/**
 * The fields read for each item. The cube aggregates over the fields not selected, so the item's own key
 * (AccountingDocumentItem) is always among them: one row per item.
 */
export const ITEM_FIELDS = [
  'CompanyCode',
  'FiscalYear',
  'AccountingDocument',
  'AccountingDocumentItem',
  'DocumentReferenceID',
  'AccountingDocumentType',
  'PostingDate',
  'GLAccount',
  'AmountInTransactionCurrency',
] as const;

export interface HeldEntry {
  /** `<company code>/<fiscal year>/<document>`: the posting's target id. */
  id: string;
  companyCode: string;
  fiscalYear: string;
  accountingDocument: string;
  /** DocumentReferenceID, '' when the entry has none. */
  reference: string;
  type: string;
  /** YYYY-MM-DD. */
  postingDate: string;
  /** Item number -> its G/L account and signed amount. */
  items: Map<string, { account: string; amount: Decimal }>;
}

const SIGNED_AMOUNT = /^-?\d{1,23}(\.\d{1,6})?$/;
/** OData v2's JSON date, `/Date(ms)/` (with an offset SAP never sends for a date). */
const ODATA_DATE = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/;

const text = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

function postingDateOf(value: unknown): string {
  const match = ODATA_DATE.exec(text(value));
  return match ? new Date(Number(match[1])).toISOString().slice(0, 10) : '';
}

/** A row the read-back cannot read: the answer is not the cube's, so what SAP holds is not known. */
const unreadable = (what: string, row: Record<string, unknown>) =>
  new DeliveryFailure('unknown_outcome', `the item cube answered ${what}: ${JSON.stringify(row).slice(0, 500)}`, {
    targetText: JSON.stringify(row),
  });

/** The entries the rows hold, oldest first (by fiscal year and document number). */
export function groupEntries(rows: readonly Record<string, unknown>[]): HeldEntry[] {
  const entries = new Map<string, HeldEntry>();
  for (const row of rows) {
    const [companyCode, fiscalYear, accountingDocument, item] = [
      text(row.CompanyCode),
      text(row.FiscalYear),
      text(row.AccountingDocument),
      text(row.AccountingDocumentItem),
    ];
    if (!companyCode || !fiscalYear || !accountingDocument || !item) throw unreadable('a row without its key', row);
    const amount = text(row.AmountInTransactionCurrency);
    if (!SIGNED_AMOUNT.test(amount)) throw unreadable('an amount that is not decimal text', row);
    const id = `${companyCode}/${fiscalYear}/${accountingDocument}`;
    const entry = entries.get(id) ?? {
      id,
      companyCode,
      fiscalYear,
      accountingDocument,
      reference: text(row.DocumentReferenceID),
      type: text(row.AccountingDocumentType),
      postingDate: postingDateOf(row.PostingDate),
      items: new Map(),
    };
    entry.items.set(item, { account: text(row.GLAccount), amount: new Decimal(amount) });
    entries.set(id, entry);
  }
  return [...entries.values()].sort(
    (a, b) => a.fiscalYear.localeCompare(b.fiscalYear) || a.accountingDocument.localeCompare(b.accountingDocument),
  );
}

/** The entry's debits: the sum of its positive (S) items. */
const debitsOf = (entry: HeldEntry) =>
  [...entry.items.values()].reduce(
    (sum, item) => (item.amount.isPositive() ? sum.plus(item.amount) : sum),
    new Decimal(0),
  );

/** What find answers for an entry: its id, its debits and each item's account and signed amount. */
export function heldDocument(entry: HeldEntry): HeldDocument {
  return {
    id: entry.id,
    total: debitsOf(entry).toFixed(),
    lines: [...entry.items.values()].map((item) => ({ place: item.account, amount: item.amount.toFixed() })),
  };
}

/** What listHeld answers for an entry: find's id and total, its reference (null when empty) and type. */
export function listedDocument(entry: HeldEntry): ListedDocument {
  return {
    id: entry.id,
    externalId: entry.reference === '' ? null : entry.reference,
    type: entry.type || 'JournalEntry',
    total: debitsOf(entry).toFixed(),
  };
}
