import { DEFAULT_SECRET_KEY, startStripeEmulator } from '../../../src/emulators/stripe/index.js';
import { createStripeConnector } from '../../../src/modules/connectors/billing-stripe/stripe-connector.js';
import type { BillingHandOff, PostingBody } from '../../../src/modules/connectors/index.js';
import { Exact } from '../../../src/platform/money.js';
import { countsFromOutcomes, sharedFaultSettings, type CountingTarget } from '../emulator-faults.js';

// Stripe as a billing target: each posting is a finalized document's lines handed over as invoice items
// (through the official `stripe` client, keys derived from the posting), against the Stripe emulator.
// What Stripe holds is read from the emulator: a document is held once when each of its lines is one
// item, and the totals are the customer's items in minor units.

const CUSTOMER = 'cus_EmulatorAcme01';

/** `count` documents of two or three lines each (a usage line at a unit price, a tiered one, tax). */
function handOffs(count: number, prefix = 'ST'): BillingHandOff[] {
  return Array.from({ length: count }, (_, index) => {
    const n = index + 1;
    const usage = { quantity: String(100 * n), unitPrice: '0.002', amount: (0.2 * n).toFixed(2) };
    const items = [
      { description: 'Tokens', ...usage },
      { description: 'Platform fee', quantity: null, unitPrice: null, amount: '49.00' },
      ...(n % 2 ? [{ description: 'Sales tax', quantity: null, unitPrice: null, amount: '3.57' }] : []),
    ];
    const total = items.reduce((sum, item) => sum.plus(item.amount), new Exact(0)).toFixed(2);
    const invoiceId = `inv_${prefix}${n}`;
    return {
      type: 'billing_items',
      externalId: `B-${prefix}${String(n).padStart(12, '0')}`,
      customer: CUSTOMER,
      currency: 'USD',
      issue: false,
      memo: `Conformance document ${n}`,
      source: { invoiceId, invoiceNumber: `MB-${n}` },
      items: items.map((item, line) => ({
        ...item,
        period: { start: '2026-10-01T00:00:00Z', end: '2026-11-01T00:00:00Z' },
        reference: { invoiceId, invoiceNumber: `MB-${n}`, lineNo: line + 1 },
      })),
      total,
    };
  });
}

const handOffsOf = (bodies: readonly PostingBody[]) => bodies as readonly BillingHandOff[];

interface HeldItem {
  id: string;
  customer: string;
  currency: string;
  amount: number;
  metadata: Record<string, string>;
}

export const conformanceTarget: CountingTarget = {
  kind: 'stripe',
  bodies: (count) => handOffs(count),
  expectedTotals(bodies) {
    const cents = handOffsOf(bodies).reduce((sum, body) => sum.plus(new Exact(body.total).times(100)), new Exact(0));
    return { [`${CUSTOMER} usd`]: cents.toFixed() };
  },
  invalid() {
    const [fixed] = handOffs(1, 'BAD') as [BillingHandOff];
    return {
      wrong: { ...fixed, customer: 'cus_NoSuchCustomer' },
      fixed,
      refusal: /No such customer: 'cus_NoSuchCustomer'/,
      attempt: { statusCode: 400, errorCode: 'resource_missing', errorPath: 'customer' },
    };
  },
  async start() {
    const emulator = await startStripeEmulator({ seed: 11 });
    /** The first item of each line of a posting (the one the read-back finds), in line order. */
    const postingItems = (externalId: string): HeldItem[] => {
      const byLine = new Map<number, HeldItem>();
      for (const item of (emulator.objects() as { invoiceitems: HeldItem[] }).invoiceitems) {
        const line = Number(item.metadata.meterbridge_line);
        if (item.metadata.meterbridge_posting === externalId && !byLine.has(line)) byLine.set(line, item);
      }
      return [...byLine].sort(([a], [b]) => a - b).map(([, item]) => item);
    };
    return {
      target: (limits) => ({
        key: 'conformance',
        kind: 'stripe',
        settings: { apiBaseUrl: emulator.url, send: 'invoice_items' },
        credentials: 'STRIPE',
        limits,
      }),
      secrets: async () => DEFAULT_SECRET_KEY,
      setFaults(faults) {
        emulator.setFaults({
          concurrency: faults.concurrency ?? 1000,
          ratePerSecond: faults.ratePerSecond,
          ...sharedFaultSettings(faults),
        });
      },
      async held() {
        const items = (emulator.objects() as { invoiceitems: HeldItem[] }).invoiceitems;
        // Items per posting and line: a posting is held once when no line of it is there twice.
        const perLine = new Map<string, number>();
        const totals: Record<string, Exact> = {};
        for (const item of items) {
          const key = `${item.metadata.meterbridge_posting}\u0000${item.metadata.meterbridge_line}`;
          perLine.set(key, (perLine.get(key) ?? 0) + 1);
          const place = `${item.customer} ${item.currency}`;
          totals[place] = (totals[place] ?? new Exact(0)).plus(item.amount);
        }
        const documentsPerExternalId = new Map<string, number>();
        for (const [key, count] of perLine) {
          const externalId = key.split('\u0000')[0]!;
          documentsPerExternalId.set(externalId, Math.max(documentsPerExternalId.get(externalId) ?? 0, count));
        }
        return {
          documentsPerExternalId,
          unbalanced: [],
          totals: Object.fromEntries(Object.entries(totals).map(([place, sum]) => [place, sum.toFixed()])),
        };
      },
      async copyByHand(externalId) {
        for (const item of postingItems(externalId)) emulator.copyInvoiceItem(item.id);
      },
      async moveByHand(externalId) {
        // 1.00 moved from the platform fee (line 2) to the usage line (line 1): the total is kept.
        const [usage, fee] = postingItems(externalId);
        if (!usage || !fee) throw new Error(`Stripe holds no two items of ${externalId}`);
        emulator.setInvoiceItemAmount(fee.id, fee.amount - 100);
        emulator.setInvoiceItemAmount(usage.id, usage.amount + 100);
      },
      counts: () => countsFromOutcomes(emulator.stats().outcomes),
      requests: () => emulator.stats().requests,
      close: () => emulator.close(),
    };
  },
  connector: (definition, secrets) => createStripeConnector(definition, secrets),
};
