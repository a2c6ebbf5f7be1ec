import {
  DeliveryFailure,
  type ErpDocument,
  type JournalEntry,
  type LineReference,
  type LedgerBody,
} from '../connector.js';

// What a posting becomes in an export file: where it goes (entity, period, which file) and its rows, one
// per journal or document line. Both formats write the same rows with the same field names in the same
// order, so a consumer can switch formats without remapping; only the encoding of a row differs
// (file-format.ts). Amounts are copied as the exact decimal text accounting made, never through a number.

export type ExportFormat = 'csv' | 'jsonl';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl'];

/** One row: plain text, a line number, null for "no value", or a structured field (dimensions, references). */
export type RowValue = string | number | null | Record<string, string> | LineReference[];
export type Row = Readonly<Record<string, RowValue>>;

/** The columns of journals.csv / journals.jsonl, in file order. docs/connectors/file.md describes each. */
export const JOURNAL_COLUMNS = [
  'externalId',
  'legalEntity',
  'postingDate',
  'currency',
  'entryMemo',
  'lineNo',
  'account',
  'dimensions',
  'debit',
  'credit',
  'lineMemo',
  'references',
] as const;

/** The columns of invoices.csv / invoices.jsonl (invoices and credit memos), in file order. */
export const INVOICE_COLUMNS = [
  'externalId',
  'documentType',
  'legalEntity',
  'documentDate',
  'currency',
  'customer',
  'corrects',
  'documentMemo',
  'dimensions',
  'lineNo',
  'item',
  'description',
  'quantity',
  'unitPrice',
  'amount',
  'sourceInvoiceId',
  'sourceInvoiceNumber',
  'sourceLineNo',
  'tax',
  'total',
] as const;

/** Where a posting's rows go, relative to the target's directory: `<entity>/<YYYY-MM>/<journals|invoices>.<format>`. */
export interface ExportPlace {
  folder: string;
  name: string;
}

// A catalog key (legal entity codes are keys): it starts with a letter or digit and holds no `/`, so it is
// one path segment that can never be `.`, `..` or climb out of the export directory.
const ENTITY_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$/;
const DATE = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
// Exact decimal text: what accounting writes. Anything else (a float's exponent, a formula) is refused.
const DECIMAL = /^-?\d{1,30}(\.\d{1,12})?$/;
// The external id is the dedup key of every file and part of the document id (`<path>#<id>`).
const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function placeOf(body: LedgerBody, format: ExportFormat): ExportPlace {
  if (!ENTITY_SEGMENT.test(body.legalEntity))
    throw refused(`legal entity ${JSON.stringify(body.legalEntity)} cannot name a folder`, 'legalEntity');
  const date = body.type === 'journal' ? body.postingDate : body.documentDate;
  const dateField = body.type === 'journal' ? 'postingDate' : 'documentDate';
  if (!DATE.test(date)) throw refused(`${dateField} ${JSON.stringify(date)} is not YYYY-MM-DD`, dateField);
  const kind = body.type === 'journal' ? 'journals' : 'invoices';
  return { folder: `${body.legalEntity}/${date.slice(0, 7)}`, name: `${kind}.${format}` };
}

export function columnsOf(body: LedgerBody): readonly string[] {
  return body.type === 'journal' ? JOURNAL_COLUMNS : INVOICE_COLUMNS;
}

/** The posting's rows; a posting without lines still gets one row (line fields null) so the file records it. */
export function rowsOf(body: LedgerBody): Row[] {
  if (!EXTERNAL_ID.test(body.externalId))
    throw refused(`external id ${JSON.stringify(body.externalId)} is not 1-100 of A-Z a-z 0-9 _ -`, 'externalId');
  return body.type === 'journal' ? journalRows(body) : invoiceRows(body);
}

function journalRows(entry: JournalEntry): Row[] {
  const head = {
    externalId: entry.externalId,
    legalEntity: entry.legalEntity,
    postingDate: entry.postingDate,
    currency: entry.currency,
    entryMemo: entry.memo,
  };
  if (entry.lines.length === 0)
    return [
      {
        ...head,
        lineNo: null,
        account: null,
        dimensions: null,
        debit: null,
        credit: null,
        lineMemo: null,
        references: null,
      },
    ];
  return entry.lines.map((line, index) => ({
    ...head,
    lineNo: index + 1,
    account: line.account,
    dimensions: sortedDimensions(line.dimensions),
    debit: amount(line.debit, `lines/${index}/debit`),
    credit: amount(line.credit, `lines/${index}/credit`),
    lineMemo: line.memo,
    references: line.references.map((ref) => ({
      invoiceId: ref.invoiceId,
      invoiceNumber: ref.invoiceNumber,
      lineNo: ref.lineNo,
      ...(ref.voided ? { voided: true as const } : {}),
    })),
  }));
}

function invoiceRows(document: ErpDocument): Row[] {
  const head = {
    externalId: document.externalId,
    documentType: document.type,
    legalEntity: document.legalEntity,
    documentDate: document.documentDate,
    currency: document.currency,
    customer: document.customer,
    corrects: document.corrects ?? null,
    documentMemo: document.memo,
    dimensions: sortedDimensions(document.dimensions),
  };
  // Tax and total are the document's, repeated on each of its rows: take them once per external id.
  const tail = { tax: amount(document.tax, 'tax'), total: amount(document.total, 'total') };
  const noLine = { lineNo: null, item: null, description: null, quantity: null, unitPrice: null, amount: null };
  const noSource = { sourceInvoiceId: null, sourceInvoiceNumber: null, sourceLineNo: null };
  if (document.lines.length === 0) return [{ ...head, ...noLine, ...noSource, ...tail }];
  return document.lines.map((line, index) => ({
    ...head,
    lineNo: index + 1,
    item: line.item,
    description: line.description,
    quantity: line.quantity === null ? null : amount(line.quantity, `lines/${index}/quantity`),
    unitPrice: line.unitPrice === null ? null : amount(line.unitPrice, `lines/${index}/unitPrice`),
    amount: amount(line.amount, `lines/${index}/amount`),
    sourceInvoiceId: line.reference.invoiceId,
    sourceInvoiceNumber: line.reference.invoiceNumber,
    sourceLineNo: line.reference.lineNo,
    ...tail,
  }));
}

/** Keys sorted, so the same dimensions always write the same text (and diff cleanly between exports). */
function sortedDimensions(dimensions: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function amount(value: string, path: string): string {
  if (typeof value !== 'string' || !DECIMAL.test(value))
    throw refused(`${path} ${JSON.stringify(value)} is not exact decimal text`, path);
  return value;
}

const refused = (message: string, path: string) =>
  new DeliveryFailure('invalid', `the file export cannot write this posting: ${message}`, { path });
