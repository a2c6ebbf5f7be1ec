import type { Invoice } from '../billing/index.js';
import type { ErpDocument } from '../connectors/index.js';
import { AccountingError } from './accounting.js';
import { externalIdFor } from './external-id.js';
import type { DocumentContext } from './journal-lines.js';

/** The ERP document a Meterbridge document became: an invoice, or a credit memo when its total is negative. */
function ownType(document: Invoice): ErpDocument['type'] {
  return document.total.startsWith('-') ? 'credit_memo' : 'invoice';
}

/** The external id of the ERP document a Meterbridge document became (what a memo or a void names). */
export function erpExternalIdOf(document: Invoice, targetKey: string): string {
  return externalIdFor(ownType(document), targetKey, document.id);
}

/**
 * The ERP invoice of a Meterbridge document, or its credit memo when the total is negative (amounts then
 * stated positive, as ERPs take credit memos): the customer's ERP id, each line but tax with its charge
 * as the item, the tax and the total. A memo names the ERP document of the invoice it corrects. Voiding
 * gives the opposite document with the same amounts (a credit memo for an invoice), naming the original.
 */
export function erpDocumentFor(
  document: Invoice,
  context: DocumentContext,
  targetKey: string,
  voiding = false,
): ErpDocument {
  const negative = document.total.startsWith('-');
  const type = voiding === negative ? 'invoice' : 'credit_memo';
  const customer = context.customer.externalIds?.erp;
  if (!customer) throw new AccountingError(`customer ${context.customer.key} has no externalIds.erp`, document.id);
  const sign = (amount: string) => (negative ? (amount.startsWith('-') ? amount.slice(1) : `-${amount}`) : amount);
  const corrects = voiding
    ? erpExternalIdOf(document, targetKey)
    : document.correctsInvoice
      ? externalIdFor('invoice', targetKey, document.correctsInvoice)
      : undefined;
  return {
    type,
    externalId: voiding ? externalIdFor('void', targetKey, document.id) : erpExternalIdOf(document, targetKey),
    legalEntity: document.legalEntity,
    customer,
    currency: document.currency,
    documentDate: (document.finalizedAt ?? document.updatedAt).slice(0, 10),
    memo: `Meterbridge ${voiding ? 'void of ' : ''}${document.number ?? document.id}`,
    dimensions: { ...context.entity.accounting.dimensions },
    lines: (document.lines ?? [])
      .filter((line) => line.kind !== 'tax')
      .map((line) => ({
        item: line.chargeKey ?? line.kind,
        description: line.description,
        quantity: line.quantity,
        unitPrice: line.unitPrice,
        amount: sign(line.amount),
        reference: { invoiceId: document.id, invoiceNumber: document.number ?? '', lineNo: line.lineNo },
      })),
    tax: sign(document.taxTotal),
    total: sign(document.total),
    corrects,
    source: { invoiceId: document.id, invoiceNumber: document.number ?? '' },
  };
}
