import type { Catalog, Customer, LegalEntity } from '../catalog/index.js';
import { revenueAccountFor } from '../catalog/index.js';
import type { Invoice, InvoiceLine } from '../billing/index.js';
import type { JournalLine, LineReference } from '../connectors/index.js';
import { Exact } from '../../platform/money.js';
import { AccountingError } from './accounting.js';

/** What a document's journal lines are mapped with: its entity's accounting, customer and plan charges. */
export interface DocumentContext {
  entity: LegalEntity & { accounting: NonNullable<LegalEntity['accounting']> };
  customer: Customer;
  catalog: Catalog;
}

const side = (amount: Exact): Pick<JournalLine, 'debit' | 'credit'> =>
  amount.isNegative() ? { debit: amount.negated().toFixed(), credit: '0' } : { debit: '0', credit: amount.toFixed() };

/**
 * The journal lines of one finalized document, before summarizing: a credit per revenue, tax and discount
 * line by its account (a negative line debits it), and the receivable for the total, on the customer's
 * side of the ledger. A voided document's lines are the same with every side swapped, their references
 * marked `voided` (so a retry renders the reversal again, not the document). Balanced by
 * construction (the total is the sum of the lines), and checked anyway where entries are built.
 */
export function documentJournalLines(document: Invoice, context: DocumentContext, reverse = false): JournalLine[] {
  const { accounting } = context.entity;
  const dimensions: Record<string, string> = { ...accounting.dimensions };
  const charges = new Map(context.catalog.plans.flatMap((plan) => plan.charges).map((charge) => [charge.key, charge]));
  const reference = (line?: InvoiceLine): LineReference => ({
    invoiceId: document.id,
    invoiceNumber: document.number ?? '',
    lineNo: line?.lineNo ?? 0,
    ...(reverse ? { voided: true as const } : {}),
  });
  const lines: JournalLine[] = [];
  const add = (account: string, amount: Exact, memo: string, line?: InvoiceLine) => {
    if (amount.isZero()) return;
    const signed = reverse ? amount.negated() : amount;
    lines.push({ account, dimensions, ...side(signed), memo, references: [reference(line)] });
  };
  for (const line of document.lines ?? []) {
    add(accountOf(line), new Exact(line.amount), `${document.number} ${line.description}`.slice(0, 200), line);
  }
  // The receivable carries the total on the other side: a debit for an invoice.
  add(
    accounting.accounts.receivable,
    new Exact(document.total).negated(),
    `${document.number} ${context.customer.name}`,
  );
  return lines;

  function accountOf(line: InvoiceLine): string {
    const { accounts } = accounting;
    if (line.kind === 'tax') {
      const account = accounts.taxPayable?.[context.customer.taxRegion];
      if (!account)
        throw new AccountingError(`no tax payable account for region ${context.customer.taxRegion}`, document.id);
      return account;
    }
    if ((line.kind === 'credit' || line.kind === 'discount') && accounts.discount) return accounts.discount;
    const charge = line.chargeKey === null ? undefined : charges.get(line.chargeKey);
    const account = charge ? revenueAccountFor(accounting, charge) : accounts.revenue.default;
    if (!account) throw new AccountingError(`no revenue account for charge ${line.chargeKey ?? '(none)'}`, document.id);
    return account;
  }
}
