import type { Decimal } from 'decimal.js';
import { exact } from '../../../platform/money.js';
import type { ErpDocument } from '../connector.js';
import type { NetSuiteClient, NetSuiteReadRecord } from './netsuite-client.js';
import { amount, type NetSuiteRecord } from './netsuite-fields.js';

// A credit memo applied to the invoice it corrects, through the memo's `apply` sublist (lines keyed by
// `doc`, the invoice's internal id). The outbox delivers a memo only after the document it corrects, so
// the invoice is read by its external id first: its internal id, and what is still open on it
// (`amountRemaining`). The memo is applied up to what is open; what an invoice already paid, or a memo
// larger than the balance, leaves over stays unapplied on the memo, as NetSuite keeps any credit, for a
// person to refund or apply elsewhere. A memo delivered again (a retry) first gives back what it already
// applied to the invoice, as NetSuite does when a memo is edited. Nothing is applied to an invoice
// NetSuite does not hold (deleted by hand, or posted before the entity moved to invoice mode): the memo
// is still posted, since a credit that never reaches the ledger is worse than one left to apply, and its
// memo says why.

export interface Application {
  /** The `apply` sublist to send, or none. */
  apply?: NetSuiteRecord;
  /** Appended to the memo when not all of the credit could be applied. */
  note?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A NetSuite number (JSON number or decimal text) as an exact decimal, or undefined. */
function decimalField(value: unknown): Decimal | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  return typeof text === 'string' && /^-?\d{1,15}(\.\d{1,8})?$/.test(text) ? exact(text) : undefined;
}

/** What this memo, as NetSuite holds it, already applies to the invoice: given back before it is reapplied. */
export function appliedBy(memo: NetSuiteReadRecord | undefined, invoiceId: string): Decimal {
  const items = isObject(memo?.apply) && Array.isArray(memo.apply.items) ? memo.apply.items : [];
  return items.filter(isObject).reduce((sum, line) => {
    const doc = isObject(line.doc) ? String(line.doc.id) : undefined;
    return line.apply === true && doc === invoiceId ? sum.plus(decimalField(line.amount) ?? 0) : sum;
  }, exact(0));
}

/** How much of `credit` goes on an invoice with `open` outstanding: all of it, or what is open. */
export function amountToApply(credit: Decimal, open: Decimal): Decimal {
  return open.isNegative() ? exact(0) : credit.lessThan(open) ? credit : open;
}

export async function resolveApplication(
  client: NetSuiteClient,
  document: ErpDocument,
  signal: AbortSignal,
): Promise<Application> {
  if (document.type !== 'credit_memo' || document.corrects === undefined) return {};
  const credit = exact(document.total);
  if (!credit.isPositive() || credit.isZero()) return {};
  const invoice = await client.read('invoice', document.corrects, signal);
  if (invoice === undefined)
    return { note: `unapplied: NetSuite holds no invoice ${document.corrects} to apply it to` };
  const remaining = decimalField(invoice.amountRemaining);
  if (remaining === undefined)
    return { note: `unapplied: NetSuite did not say what is open on invoice ${document.corrects}` };
  const previous = await client.read('creditMemo', document.externalId, signal, true);
  const open = remaining.plus(appliedBy(previous, invoice.id));
  const applied = amountToApply(credit, open);
  const left = credit.minus(applied);
  const note = left.isZero()
    ? undefined
    : `${left.toFixed(2)} left unapplied: invoice ${document.corrects} had ${open.toFixed(2)} open`;
  if (applied.isZero()) return { note };
  const line = { doc: { id: invoice.id }, apply: true, amount: amount(applied.toFixed(2), 'apply.items[0].amount') };
  return { apply: { items: [line] }, note };
}
