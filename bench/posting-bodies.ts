import { Decimal } from 'decimal.js';
import type { ErpDocument } from '../src/modules/connectors/index.js';
import type { NewPosting } from '../src/modules/outbox/index.js';

// What the posting benchmark delivers: one NetSuite invoice per finalized Meterbridge invoice, as the
// accounting module renders it in invoice mode — a customer and items of the emulator's default chart,
// two to four lines of exact decimal quantities, unit prices and amounts, and the total to the cent.

export const BENCH_TARGET = 'netsuite-bench';
const CUSTOMERS = ['100', '101', '102'] as const;
const ITEMS = [
  { item: '10', description: 'API requests', unitPrice: '0.0004' },
  { item: '11', description: 'Storage, GB-month', unitPrice: '0.125' },
  { item: '12', description: 'Premium support, hours', unitPrice: '95.00' },
] as const;

/** The external id of invoice `index` (NetSuite's rules: at most 16 of A-Z 0-9 -). */
export const externalIdOf = (index: number) => `INV-${String(index + 1).padStart(7, '0')}`;

/** Invoice `index`, deterministic: 2–4 lines, amounts = quantity × unit price rounded to the cent. */
export function benchInvoice(index: number): ErpDocument {
  const externalId = externalIdOf(index);
  const lines = Array.from({ length: 2 + (index % 3) }, (_, line) => {
    const spec = ITEMS[line % ITEMS.length] ?? ITEMS[0];
    // Requests by the unit, storage in quarter GB-months, support in quarter hours.
    const spread = (index + 1) * 7919 + line * 104729;
    const quantity =
      line === 1
        ? new Decimal(spread % 20_000).dividedBy(4)
        : line === 2
          ? new Decimal(1 + (spread % 40)).dividedBy(4)
          : new Decimal(spread % 5_000_000);
    const amount = quantity.times(spec.unitPrice).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
    return {
      item: spec.item,
      description: spec.description,
      quantity: quantity.toString(),
      unitPrice: spec.unitPrice,
      amount: amount.toFixed(2),
      reference: { invoiceId: `inv_${index + 1}`, invoiceNumber: externalId, lineNo: line + 1 },
    };
  });
  const total = lines.reduce((sum, line) => sum.plus(line.amount), new Decimal(0));
  return {
    type: 'invoice',
    externalId,
    legalEntity: 'US',
    customer: CUSTOMERS[index % CUSTOMERS.length] ?? '100',
    currency: 'USD',
    documentDate: '2026-10-31',
    memo: `Usage October 2026, ${externalId}`,
    dimensions: { subsidiary: '1', department: String(1 + (index % 2)), class: '1', location: '2' },
    lines,
    tax: '0.00',
    total: total.toFixed(2),
  };
}

export function benchPosting(index: number): NewPosting {
  const body = benchInvoice(index);
  return {
    targetKey: BENCH_TARGET,
    externalId: body.externalId,
    kind: body.type,
    subject: `invoice:inv_${index + 1}`,
    legalEntity: body.legalEntity,
    period: '2026-10',
    body,
  };
}

/** The sum of every invoice's total, to the cent: what the emulated account must hold in all. */
export function expectedTotal(count: number): string {
  let sum = new Decimal(0);
  for (let index = 0; index < count; index += 1) sum = sum.plus(benchInvoice(index).total);
  return sum.toFixed(2);
}
