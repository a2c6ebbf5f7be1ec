import type { Queryable } from '../../../platform/database/database.js';
import type { Subscription } from '../../catalog/index.js';
import { findOrphanedFeeLines, type OrphanedFeeLine, type SubscriptionEnd } from './fee-repository.js';
import type { CatalogLookup } from '../invoicing/catalog-lookup.js';
import { isoDay as day } from '../invoicing/periods.js';
import { Exact, toMoney } from '../../../platform/money.js';
import type { LineContent, PlannedMemo } from '../billing.js';

/**
 * Fee periods a subscription no longer reaches: billed ahead on a finalized invoice, then the
 * subscription's end moved back to the period's start or before it (a cancellation entered late), so no
 * invoice of the subscription will ever bill that period and true it up. Each becomes a memo line
 * giving back what finalized documents billed for the period, correcting the invoice that billed it;
 * once that memo is finalized the period nets to zero and nothing more is drafted.
 */
export async function orphanedFeeMemos(
  db: Queryable,
  lookup: CatalogLookup,
  subscriptions: readonly Subscription[],
): Promise<PlannedMemo[]> {
  const ended: SubscriptionEnd[] = subscriptions.flatMap((subscription) =>
    subscription.end === undefined ? [] : [{ subscriptionKey: subscription.key, endsAt: subscription.end }],
  );
  if (ended.length === 0) return [];
  // Fee periods never overlap, so a period's lines (the fee billed ahead and any correction) share its start.
  const periods = new Map<string, OrphanedFeeLine[]>();
  for (const line of await findOrphanedFeeLines(db, ended)) {
    const key = `${line.subscriptionKey}\n${line.chargeKey}\n${line.feeStart.toISOString()}`;
    periods.set(key, [...(periods.get(key) ?? []), line]);
  }
  const memos = new Map<string, PlannedMemo>();
  for (const lines of periods.values()) {
    const billed = lines.reduce((sum, line) => sum.plus(line.amount), new Exact(0));
    const carrier = lines.find((line) => line.document === 'invoice') ?? (lines[0] as OrphanedFeeLine);
    const subscription = lookup.subscription(carrier.subscriptionKey);
    const customer = lookup.customer(subscription?.customer);
    if (billed.isZero() || !subscription || !customer) continue;
    const start = carrier.feeStart;
    const end = carrier.feeEnd;
    const number = carrier.number ?? carrier.invoiceId;
    const line: LineContent = {
      kind: 'adjustment',
      chargeKey: carrier.chargeKey,
      meterKey: null,
      description: `${carrier.chargeKey}: ${day(start)} to ${day(end)}, billed in advance on ${number}; the subscription ended ${day(new Date(subscription.end as string))}`,
      periodStart: start.toISOString(),
      periodEnd: end.toISOString(),
      quantity: null,
      unitPrice: null,
      amount: toMoney(billed.negated(), customer.currency),
      breakdown: [
        {
          kind: 'already_billed',
          description: `billed in advance on ${number}`,
          amount: toMoney(billed.negated(), customer.currency),
        },
      ],
      groups: [],
      adjustsInvoiceId: carrier.invoiceId,
    };
    const memo = memos.get(carrier.invoiceId) ?? {
      subscription,
      invoiceId: carrier.invoiceId,
      number,
      period: carrier.period,
      covered: carrier.covered,
      lines: [],
    };
    memo.lines.push(line);
    memos.set(carrier.invoiceId, memo);
  }
  return [...memos.values()];
}

/** Memos by corrected invoice, with the orphaned-fee lines added to a late-usage memo of the same invoice. */
export function mergeMemos(memos: readonly PlannedMemo[], more: readonly PlannedMemo[]): PlannedMemo[] {
  const byInvoice = new Map(memos.map((memo) => [memo.invoiceId, { ...memo, lines: [...memo.lines] }]));
  for (const memo of more) {
    const existing = byInvoice.get(memo.invoiceId);
    if (existing) existing.lines.push(...memo.lines);
    else byInvoice.set(memo.invoiceId, memo);
  }
  return [...byInvoice.values()];
}
