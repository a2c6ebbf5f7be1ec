import { Decimal } from 'decimal.js';
import type { HeldDocument, HeldLine, ListedDocument } from '../connector.js';
import { majorUnits } from './stripe-hand-off.js';
import { LINE_METADATA, POSTING_METADATA } from './stripe-keys.js';

// What Stripe holds of a billing hand-off, in the port's terms: its items' sum as the total, and each item
// as a line placed at the Meterbridge document line it bills. Listing groups a day's items into hand-offs:
// by the posting's external id in their metadata, and within one id by set, since a copy of a hand-off
// (made by hand, by another integration, or by a retry after Stripe forgot its keys) carries the same
// metadata as the original. The n-th item of a line, oldest first, belongs to the n-th set: the first set
// is what the look-up finds (it keeps the oldest item of each line), every later set is a copy.

/** The fields of an invoice item the read-back uses (the official client's InvoiceItem has them). */
export interface HeldItem {
  id: string;
  amount: number;
  currency: string;
  /** The invoice it is on, or null while pending (an expanded invoice object is read by its id). */
  invoice: string | { id?: string } | null;
  metadata: Record<string, string> | null;
}

/**
 * `MB-7/2`: the Meterbridge document and line an item bills, from the metadata the hand-off writes. It must
 * equal reconciliation's billingItemPlace(invoiceNumber, lineNo), which connectors cannot import.
 */
export const billingLinePlace = (invoiceNumber: string, lineNo: number): string => `${invoiceNumber}/${lineNo}`;

/** An item's place; one without the hand-off's metadata (made by hand) is placed at its own id. */
function placeOf(item: HeldItem): string {
  const invoiceNumber = item.metadata?.meterbridge_invoice;
  const lineNo = Number(item.metadata?.meterbridge_invoice_line);
  return invoiceNumber && Number.isInteger(lineNo) ? billingLinePlace(invoiceNumber, lineNo) : item.id;
}

export function heldLinesOf(items: readonly HeldItem[]): HeldLine[] {
  return items.map((item) => ({ place: placeOf(item), amount: majorUnits(item.amount, item.currency) }));
}

export function heldTotalOf(items: readonly HeldItem[]): string {
  return items.reduce((sum, item) => sum.plus(majorUnits(item.amount, item.currency)), new Decimal(0)).toFixed();
}

/** The hand-off as the read-back states it, under the id the delivery answered. */
export function heldDocumentOf(id: string, items: readonly HeldItem[]): HeldDocument {
  return { id, total: heldTotalOf(items), lines: heldLinesOf(items) };
}

const invoiceIdOf = (item: HeldItem): string | null =>
  typeof item.invoice === 'string' ? item.invoice : (item.invoice?.id ?? null);

const lineOf = (item: HeldItem): number => Number(item.metadata?.[LINE_METADATA]);

/** A set's id as the delivery answered it: the invoice Meterbridge had Stripe issue for it, or its first line's item. */
function setId(items: readonly HeldItem[], issuedInvoices: ReadonlySet<string>): string {
  const invoice = invoiceIdOf(items[0]!);
  if (invoice !== null && issuedInvoices.has(invoice) && items.every((item) => invoiceIdOf(item) === invoice))
    return invoice;
  return [...items].sort((a, b) => lineOf(a) - lineOf(b))[0]!.id;
}

/**
 * One listed document per hand-off set of the items (newest first, as Stripe lists them), and one per
 * item without Meterbridge's metadata. `issuedInvoices`: the invoices Meterbridge created for a posting
 * (those whose metadata names one), whose id a hand-off that issued its invoice was delivered under.
 */
export function listedHandOffs(
  newestFirst: readonly HeldItem[],
  issuedInvoices: ReadonlySet<string>,
): ListedDocument[] {
  const sets = new Map<string, HeldItem[][]>();
  const others: ListedDocument[] = [];
  for (const item of [...newestFirst].reverse()) {
    const externalId = item.metadata?.[POSTING_METADATA];
    if (!externalId) {
      others.push({ id: item.id, externalId: null, type: 'invoiceitem', total: heldTotalOf([item]) });
      continue;
    }
    const ofPosting = sets.get(externalId) ?? [];
    sets.set(externalId, ofPosting);
    const line = item.metadata?.[LINE_METADATA];
    const open = ofPosting.find((set) => !set.some((held) => held.metadata?.[LINE_METADATA] === line));
    if (open) open.push(item);
    else ofPosting.push([item]);
  }
  const handOffs = [...sets].flatMap(([externalId, ofPosting]) =>
    ofPosting.map((items) => ({
      id: setId(items, issuedInvoices),
      externalId,
      type: 'invoiceitem',
      total: heldTotalOf(items),
    })),
  );
  return [...handOffs, ...others];
}
