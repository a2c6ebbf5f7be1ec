import { describe, expect, it } from 'vitest';
import { billingLinePlace, heldDocumentOf, listedHandOffs, type HeldItem } from './stripe-held.js';
import { majorUnits } from './stripe-hand-off.js';

// How Stripe's invoice items read back as hand-offs: amounts in major units, places of the document
// lines they bill, and a day's items grouped into hand-offs, a copy under the same metadata a set of its own.

let next = 0;
function item(externalId: string | undefined, line: number, amount: number, invoice: string | null = null): HeldItem {
  next += 1;
  const metadata: Record<string, string> =
    externalId === undefined
      ? {}
      : {
          meterbridge_posting: externalId,
          meterbridge_line: String(line),
          meterbridge_invoice: `MB-${externalId}`,
          meterbridge_invoice_line: String(line),
        };
  return { id: `ii_${next}`, amount, currency: 'usd', invoice, metadata };
}

/** Oldest first, as written; Stripe lists newest first. */
const newestFirst = (items: HeldItem[]) => [...items].reverse();

describe('Stripe items read back', () => {
  it("states minor units in the currency's major units by Stripe's rules", () => {
    expect(majorUnits(6491, 'usd')).toBe('64.91');
    expect(majorUnits(-15, 'JPY')).toBe('-15');
    expect(majorUnits(1250, 'bhd')).toBe('1.25');
    expect(majorUnits(100, 'isk')).toBe('1');
    expect(majorUnits(0, 'eur')).toBe('0');
  });

  it('places each item at the document line it bills (as billingItemPlace does), else at its own id', () => {
    const items = [item('B-1', 1, 1234), item('B-1', 2, -34), item(undefined, 0, 5)];
    expect(billingLinePlace('MB-7', 2)).toBe('MB-7/2');
    expect(heldDocumentOf('ii_x', items)).toEqual({
      id: 'ii_x',
      total: '12.05',
      lines: [
        { place: 'MB-B-1/1', amount: '12.34' },
        { place: 'MB-B-1/2', amount: '-0.34' },
        { place: items[2]!.id, amount: '0.05' },
      ],
    });
  });

  it('lists one document per hand-off, its first line as its id; the n-th item of a line belongs to the n-th set', () => {
    const original = [item('B-1', 1, 100), item('B-1', 2, 200)];
    const other = [item('B-2', 1, 50)];
    const copy = [item('B-1', 2, 200), item('B-1', 1, 100)];
    const partial = [item('B-1', 1, 100)];
    const foreign = item(undefined, 0, 700);
    const listed = listedHandOffs(newestFirst([...original, ...other, ...copy, foreign, ...partial]), new Set());
    expect(listed).toEqual([
      { id: original[0]!.id, externalId: 'B-1', type: 'invoiceitem', total: '3' },
      { id: copy[1]!.id, externalId: 'B-1', type: 'invoiceitem', total: '3' },
      { id: partial[0]!.id, externalId: 'B-1', type: 'invoiceitem', total: '1' },
      { id: other[0]!.id, externalId: 'B-2', type: 'invoiceitem', total: '0.5' },
      { id: foreign.id, externalId: null, type: 'invoiceitem', total: '7' },
    ]);
  });

  it('takes the id of the invoice Meterbridge had Stripe issue, only when every item of the set is on it', () => {
    const issued = [item('B-3', 1, 100, 'in_1'), item('B-3', 2, 100, 'in_1')];
    const split = [item('B-4', 1, 100, 'in_2'), item('B-4', 2, 100, null)];
    const billedLater = [item('B-5', 1, 100, 'in_3')];
    const listed = listedHandOffs(newestFirst([...issued, ...split, ...billedLater]), new Set(['in_1', 'in_2']));
    expect(listed.map((document) => document.id)).toEqual(['in_1', split[0]!.id, billedLater[0]!.id]);
  });
});
