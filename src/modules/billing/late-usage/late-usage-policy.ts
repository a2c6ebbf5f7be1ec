import type { Subscription } from '../../catalog/index.js';
import type { CatalogLookup } from '../invoicing/catalog-lookup.js';
import { Exact } from '../../../platform/money.js';
import type { LineContent, LateAdjustment, PlannedMemo } from '../billing.js';

export interface LatePlan {
  /** Adjustment lines for the subscription's next invoice. */
  rollForward: Map<string, LineContent[]>;
  memos: PlannedMemo[];
  /** Finalized invoices to void and draft again with all their period's usage (`reissue`). */
  reissues: PlannedMemo[];
}

/**
 * Sends each finalized invoice's adjustments where the subscription's policy (or its plan's) says: onto the next
 * invoice (`roll_forward`, and any policy while the adjustments' total is below the materiality
 * threshold), into a memo correcting that invoice (`memo`), or into a regenerated invoice (`reissue`).
 */
export function planLateUsage(
  subscriptions: readonly Subscription[],
  lookup: CatalogLookup,
  adjustments: ReadonlyMap<string, LateAdjustment[]>,
): LatePlan {
  const plan: LatePlan = { rollForward: new Map(), memos: [], reissues: [] };
  for (const subscription of subscriptions) {
    // The contract's own terms win over its plan's; with neither, late usage rolls forward.
    const terms = lookup.plan(subscription.plan);
    const policy = subscription.latePolicy ?? terms?.latePolicy ?? 'roll_forward';
    const threshold = new Exact(subscription.lateMaterialityThreshold ?? terms?.lateMaterialityThreshold ?? '0');
    const byInvoice = new Map<string, LateAdjustment[]>();
    for (const adjustment of adjustments.get(subscription.key) ?? [])
      byInvoice.set(adjustment.invoiceId, [...(byInvoice.get(adjustment.invoiceId) ?? []), adjustment]);
    for (const group of byInvoice.values()) {
      const first = group[0] as LateAdjustment;
      const lines = group.map((adjustment) => adjustment.line);
      const amount = lines.reduce((sum, line) => sum.plus(line.amount), new Exact(0));
      if (policy === 'roll_forward' || amount.abs().lessThan(threshold)) {
        plan.rollForward.set(subscription.key, [...(plan.rollForward.get(subscription.key) ?? []), ...lines]);
      } else {
        const correction = {
          subscription,
          invoiceId: first.invoiceId,
          number: first.number,
          period: first.period,
          covered: first.covered,
          lines,
        };
        (policy === 'memo' ? plan.memos : plan.reissues).push(correction);
      }
    }
  }
  return plan;
}
