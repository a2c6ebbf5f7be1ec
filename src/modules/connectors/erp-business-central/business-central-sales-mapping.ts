import type { Decimal } from 'decimal.js';
import type { ErpDocument } from '../connector.js';
import {
  amountNumber,
  decimalOf,
  exactNumber,
  EXTERNAL_ID,
  fit,
  invalid,
  toDimensionSetLines,
  UNIT_DECIMALS,
  type DimensionSetLineBody,
} from './business-central-mapping.js';
import type { BusinessCentralSettings } from './business-central-settings.js';

// An invoice or credit memo as a BC sales invoice or sales credit memo: the header (customer, currency,
// dates, the external id in `externalDocumentNumber`) and its lines (an item per document line, at its
// quantity and unit price when BC's arithmetic gives back the exact amount, else one unit at the
// amount). BC computes tax itself from tax groups and takes no tax amount, so a document's tax, exact,
// travels as a line on the target's `taxAccount` (customers and items are kept non-taxable in BC); the
// lines and tax are checked against the document's total before any request, and BC's total is checked
// against it before the document is posted. The document's dimensions (the entity's) are dimension set
// lines of the header and of every line (sales-document.ts writes them).

export interface SalesLineBody {
  sequence: number;
  lineType: 'Item' | 'Account';
  lineObjectNumber: string;
  description: string;
  description2: string;
  quantity: number;
  unitPrice: number;
}

export interface SalesPlan {
  /** The entity set: `salesInvoices` or `salesCreditMemos`. */
  set: 'salesInvoices' | 'salesCreditMemos';
  lineSet: 'salesInvoiceLines' | 'salesCreditMemoLines';
  header: Record<string, string>;
  lines: SalesLineBody[];
  /** What BC's `totalAmountIncludingTax` must come to. */
  total: Decimal;
  /** The document's dimension set lines: on the header and on every line. */
  dimensions: DimensionSetLineBody[];
}

/** BC's "Your Reference" (Text[35]) on an invoice holds the Meterbridge number. */
const YOUR_REFERENCE_MAX = 35;

/** Quantity and unit price when BC's product of them is the line's amount exactly; one unit otherwise. */
function quantityAndPrice(line: ErpDocument['lines'][number], amount: Decimal, path: string) {
  if (line.quantity !== null && line.unitPrice !== null) {
    const quantity = decimalOf(line.quantity, `${path}.quantity`);
    const unitPrice = decimalOf(line.unitPrice, `${path}.unitPrice`);
    const q = exactNumber(quantity, UNIT_DECIMALS);
    const p = exactNumber(unitPrice, UNIT_DECIMALS);
    if (q !== undefined && p !== undefined && quantity.times(unitPrice).equals(amount))
      return { quantity: q, unitPrice: p, note: '' };
  }
  const note =
    line.quantity === null ? '' : `${line.quantity}${line.unitPrice === null ? '' : ` at ${line.unitPrice}`}`;
  return { quantity: 1, unitPrice: amountNumber(amount, `${path}.amount`), note };
}

export function toSalesPlan(document: ErpDocument, settings: BusinessCentralSettings): SalesPlan {
  if (!EXTERNAL_ID.test(document.externalId))
    throw invalid(
      'externalId',
      `external id ${document.externalId} is not a document number (at most 20 of A-Z 0-9 _ -)`,
    );
  const dimensions = toDimensionSetLines(document.dimensions, settings, 'dimensions');
  const source = document.source ?? document.lines[0]?.reference;
  const sourceName = source === undefined ? '' : source.invoiceNumber || source.invoiceId;
  const lines: SalesLineBody[] = document.lines.map((line, index) => {
    const path = `lines[${index}]`;
    const amount = decimalOf(line.amount, `${path}.amount`);
    amountNumber(amount, `${path}.amount`);
    const item = (settings.items[line.item] ?? line.item).toUpperCase();
    if (item === '' || item.length > 20)
      throw invalid(`${path}.item`, `${path}.item ${line.item} is not an item number (Code[20])`);
    const { quantity, unitPrice, note } = quantityAndPrice(line, amount, path);
    const reference = `${line.reference.invoiceNumber || line.reference.invoiceId} line ${line.reference.lineNo}`;
    return {
      sequence: (index + 1) * 10000,
      lineType: 'Item' as const,
      lineObjectNumber: item,
      description: fit(line.description ? `${line.description} (${reference})` : reference, 100),
      description2: fit(note, 50),
      quantity,
      unitPrice,
    };
  });
  const tax = decimalOf(document.tax || '0', 'tax');
  if (!tax.isZero()) {
    if (settings.taxAccount === undefined)
      throw invalid(
        'tax',
        `the document carries tax ${document.tax} and the target's settings name no taxAccount to post it to`,
      );
    lines.push({
      sequence: (lines.length + 1) * 10000,
      lineType: 'Account',
      lineObjectNumber: settings.taxAccount.toUpperCase(),
      description: fit(`Tax${sourceName ? ` of ${sourceName}` : ''}`, 100),
      description2: '',
      quantity: 1,
      unitPrice: amountNumber(tax, 'tax'),
    });
  }
  const sum = document.lines.reduce(
    (total, line, index) => total.plus(decimalOf(line.amount, `lines[${index}].amount`)),
    tax,
  );
  const total = decimalOf(document.total, 'total');
  if (!sum.equals(total))
    throw invalid(
      'total',
      `the lines and the tax (${document.tax}) come to ${sum.toFixed()}, not the total ${document.total}`,
    );
  if (lines.length === 0) throw invalid('lines', 'the document has no lines');
  const invoice = document.type === 'invoice';
  const customer = (settings.customers[document.customer] ?? document.customer).toUpperCase();
  if (customer === '' || customer.length > 20)
    throw invalid('customer', `customer ${document.customer} is not a customer number (Code[20])`);
  const header: Record<string, string> = {
    externalDocumentNumber: document.externalId,
    [invoice ? 'invoiceDate' : 'creditMemoDate']: document.documentDate,
    postingDate: document.documentDate,
    customerNumber: customer,
    // The company's own currency is BC's blank currency code.
    currencyCode: document.currency === settings.localCurrency ? '' : document.currency,
  };
  if (invoice && sourceName !== '' && sourceName.length <= YOUR_REFERENCE_MAX)
    header.customerPurchaseOrderReference = sourceName;
  return {
    set: invoice ? 'salesInvoices' : 'salesCreditMemos',
    lineSet: invoice ? 'salesInvoiceLines' : 'salesCreditMemoLines',
    header,
    lines,
    total,
    dimensions,
  };
}
