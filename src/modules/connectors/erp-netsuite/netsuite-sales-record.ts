import type { ErpDocument } from '../connector.js';
import { exact } from '../../../platform/money.js';
import {
  amount,
  currency,
  decimalOf,
  exactNumber,
  invalid,
  MAX_QUANTITY,
  QUANTITY_DECIMALS,
  RATE_DECIMALS,
  ref,
  segments,
  type MappingOptions,
  type NetSuiteRecord,
} from './netsuite-fields.js';

// An invoice or a credit memo: the customer, the entity's dimensions, one item line per document line,
// and the tax as one more line. NetSuite's REST records take no tax amount of their own outside SuiteTax
// (legacy tax is computed from tax codes, never given), so the document's tax, exact, travels as a line
// of the target's `taxItem` (an item posting to the tax payable account), and NetSuite's total is then
// the lines plus the tax: checked here against the document's total before any request. The Meterbridge
// number and id go where a person in NetSuite searches: the memo, the "other reference" and each line's
// description.

/** How a person finds the Meterbridge document: its number (or its id while it has none) and its id. */
interface SourceRef {
  invoiceId: string;
  invoiceNumber: string;
}

/** NetSuite's `otherRefNum` holds a short reference (a PO or cheque number). */
const OTHER_REF_MAX = 45;

function sourceOf(document: ErpDocument): SourceRef | undefined {
  const source = document.source ?? document.lines[0]?.reference;
  return source === undefined ? undefined : { invoiceId: source.invoiceId, invoiceNumber: source.invoiceNumber };
}

function itemLine(line: ErpDocument['lines'][number], index: number, options: MappingOptions): NetSuiteRecord {
  const path = `item.items[${index}]`;
  const item: NetSuiteRecord = { item: ref(options.items?.[line.item] ?? line.item) };
  if (line.quantity !== null) {
    const quantity = amount(line.quantity, `${path}.quantity`, QUANTITY_DECIMALS);
    if (exact(quantity).abs().gte(MAX_QUANTITY))
      throw invalid(`${path}.quantity`, `${path}.quantity is ${line.quantity}: NetSuite takes less than 1e10`);
    item.quantity = quantity;
  }
  // A unit price too fine for NetSuite's rate is left out rather than rounded: the amount, exact, is
  // what reaches the ledger, and NetSuite shows the rate it derives from it.
  const rate = line.unitPrice === null ? undefined : exactNumber(line.unitPrice, RATE_DECIMALS);
  if (rate !== undefined) item.rate = rate;
  item.amount = amount(line.amount, `${path}.amount`);
  const reference = `${line.reference.invoiceNumber || line.reference.invoiceId} line ${line.reference.lineNo}`;
  item.description = line.description ? `${line.description} (${reference})` : reference;
  return item;
}

/** The tax line, or none for a document without tax; a document with tax and no tax item is refused. */
function taxLine(document: ErpDocument, options: MappingOptions, source?: SourceRef): NetSuiteRecord | undefined {
  if (decimalOf(document.tax || '0', 'tax').isZero()) return undefined;
  if (options.taxItem === undefined)
    throw invalid(
      'tax',
      `the document carries tax ${document.tax} and the target's settings name no taxItem to post it with`,
    );
  const of = source === undefined ? '' : ` of ${source.invoiceNumber || source.invoiceId}`;
  return { item: ref(options.taxItem), amount: amount(document.tax, 'tax'), description: `Tax${of}` };
}

/** NetSuite adds the lines up itself: they must come to the document's total, or the two ledgers differ. */
function checkTotal(document: ErpDocument): void {
  const lines = document.lines.reduce(
    (sum, line, index) => sum.plus(decimalOf(line.amount, `item.items[${index}].amount`)),
    exact(0),
  );
  const sum = lines.plus(decimalOf(document.tax || '0', 'tax'));
  if (!sum.equals(decimalOf(document.total, 'total')))
    throw invalid(
      'total',
      `the lines (${lines.toFixed()}) and the tax (${document.tax}) come to ${sum.toFixed()}, not the total ${document.total}`,
    );
}

export function toSalesRecord(document: ErpDocument, options: MappingOptions): NetSuiteRecord {
  const source = sourceOf(document);
  const items = document.lines.map((line, index) => itemLine(line, index, options));
  const tax = taxLine(document, options, source);
  if (tax !== undefined) items.push(tax);
  checkTotal(document);
  const record: NetSuiteRecord = {
    externalId: document.externalId,
    entity: ref(document.customer),
    ...(document.dimensions.subsidiary ? { subsidiary: ref(document.dimensions.subsidiary) } : {}),
    currency: currency(document.currency, options),
    tranDate: document.documentDate,
    // The memo names the document's number; the id is added unless the memo already names it.
    memo:
      source === undefined || document.memo.includes(source.invoiceId)
        ? document.memo
        : `${document.memo} (id ${source.invoiceId})`,
  };
  const otherRef = source === undefined ? '' : source.invoiceNumber || source.invoiceId;
  if (otherRef !== '' && otherRef.length <= OTHER_REF_MAX) record.otherRefNum = otherRef;
  segments(document.dimensions, record);
  record.item = { items };
  return record;
}
