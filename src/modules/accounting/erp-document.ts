import type { Invoice } from '../billing/index.js';
import type { ErpDocument } from '../connectors/index.js';
import { AccountingError } from './accounting.js';
import { externalIdFor } from './external-id.js';
import type { DocumentContext } from './journal-lines.js';

/**
 * The ERP invoice of a Meterbridge document, or its credit memo when the total is negative (amounts then
 * stated positive, as ERPs take credit memos): the customer's ERP id, each line but tax with its charge
 * as the item, the tax and the total. A memo names the ERP document of the invoice it corrects.
 */
export function erpDocumentFor(document: Invoice, context: DocumentContext, targetKey: string): ErpDocument {
  const credit = document.total.startsWith('-');
  const customer = context.customer.externalIds?.erp;
  if (!customer) throw new AccountingError(`customer ${context.customer.key} has no externalIds.erp`, document.id);
  const sign = (amount: string) => (credit ? (amount.startsWith('-') ? amount.slice(1) : `-${amount}`) : amount);
  return {
    type: credit ? 'credit_memo' : 'invoice',
    externalId: externalIdFor(credit ? 'credit_memo' : 'invoice', targetKey, document.id),
    legalEntity: document.legalEntity,
    customer,
    currency: document.currency,
    documentDate: (document.finalizedAt ?? document.updatedAt).slice(0, 10),
    memo: `Meterbridge ${document.number ?? document.id}`,
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
    corrects: document.correctsInvoice ? externalIdFor('invoice', targetKey, document.correctsInvoice) : undefined,
  };
}
