import { Decimal } from 'decimal.js';
import type { HeldLine, PostingBody } from '../connectors/index.js';

// What a posting's body comes to in the terms a target's read-back states them: its total, and its
// amounts summed per place (a journal's accounts, a document's items, a billing hand-off's lines).
// Reconciliation compares these with what the target holds, and the connectors' conformance suite holds
// each read-back to them.

/** A journal's debits, an ERP document's total (stated positive), a billing hand-off's items' sum. */
export function sentTotal(body: PostingBody): string | undefined {
  if (body.type === 'journal') return body.lines.reduce((sum, line) => sum.plus(line.debit), new Decimal(0)).toFixed();
  if (body.type === 'invoice' || body.type === 'credit_memo') return new Decimal(body.total).abs().toFixed();
  if (body.type === 'billing_items') return new Decimal(body.total).toFixed();
  return undefined;
}

/** Where a billing item is charged, as its platform keeps it: the Meterbridge document and line it bills. */
export const billingItemPlace = (invoiceNumber: string, lineNo: number): string => `${invoiceNumber}/${lineNo}`;

/** The lines a body sends, as the target states them (HeldLine); undefined for a usage hand-off. */
export function sentLines(body: PostingBody): HeldLine[] | undefined {
  switch (body.type) {
    case 'journal':
      return body.lines.map((line) => ({
        place: line.account,
        amount: new Decimal(line.debit).minus(line.credit).toFixed(),
      }));
    case 'invoice':
    case 'credit_memo':
      return body.lines.map((line) => ({ place: line.item, amount: new Decimal(line.amount).toFixed() }));
    case 'billing_items':
      return body.items.map((item) => ({
        place: billingItemPlace(body.source.invoiceNumber, item.reference.lineNo),
        amount: new Decimal(item.amount).toFixed(),
      }));
    case 'usage_events':
      return undefined;
  }
}

/** Amounts summed per place; places that come to zero are left out (a line moved away and back is no change). */
export function sumByPlace(lines: readonly HeldLine[]): Map<string, string> {
  const sums = new Map<string, Decimal>();
  for (const line of lines) sums.set(line.place, (sums.get(line.place) ?? new Decimal(0)).plus(line.amount));
  return new Map([...sums].filter(([, sum]) => !sum.isZero()).map(([place, sum]) => [place, sum.toFixed()]));
}

export interface PlaceDifference {
  place: string;
  sent: string;
  held: string;
}

/** Each place where what the target holds differs from what was sent, sorted by place. */
export function placeDifferences(sent: readonly HeldLine[], held: readonly HeldLine[]): PlaceDifference[] {
  const [sentSums, heldSums] = [sumByPlace(sent), sumByPlace(held)];
  return [...new Set([...sentSums.keys(), ...heldSums.keys()])]
    .sort()
    .map((place) => ({ place, sent: sentSums.get(place) ?? '0', held: heldSums.get(place) ?? '0' }))
    .filter(({ sent: expected, held: actual }) => !new Decimal(expected).equals(actual));
}
