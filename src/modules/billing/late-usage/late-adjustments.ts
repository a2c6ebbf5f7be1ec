import type { Queryable } from '../../../platform/database/database.js';
import { contractCharge, type Aggregation, type Subscription } from '../../catalog/index.js';
import { rateCharge, reRate } from '../../rating/index.js';
import type { CatalogLookup } from '../invoicing/catalog-lookup.js';
import { coveredShare } from '../invoicing/periods.js';
import { aggregateUsage, eventValues, metersWithUnbilledUsage, quantityOf } from '../../metering/index.js';
import { Exact } from '../../../platform/money.js';
import type { LineContent, LateAdjustment } from '../billing.js';
import { billedFor, findFinalizedPeriods, type FinalizedPeriod } from './late-usage-repository.js';

/** Usage that arrived after its period's invoice was finalized: not on any invoice yet. */
interface LateWindow extends FinalizedPeriod {
  meterKey: string;
}

async function findLateWindows(db: Queryable, subscriptionKeys: readonly string[]): Promise<LateWindow[]> {
  const periods = await findFinalizedPeriods(db, subscriptionKeys);
  const unbilled = await metersWithUnbilledUsage(
    db,
    periods.map((period) => ({
      subscriptionKey: period.subscriptionKey,
      start: period.coveredStart,
      end: period.coveredEnd,
    })),
  );
  return unbilled.map(({ index, meterKey }) => ({ ...(periods[index] as FinalizedPeriod), meterKey }));
}

/**
 * Adjustment lines for late usage, rolled forward onto the subscription's current invoice: for each
 * finalized period with usage not on any invoice, each charge of that meter is re-rated on the period's
 * new total, and the line is that amount less what was billed for the charge (the period's line and
 * earlier adjustments) — cumulative re-rating, never the late units at some unit price. Keyed by
 * subscription; the late-usage policy decides where each goes.
 */
export async function lateAdjustments(
  db: Queryable,
  lookup: CatalogLookup,
  subscriptions: readonly Subscription[],
  needs: ReadonlySet<Aggregation>,
): Promise<Map<string, LateAdjustment[]>> {
  const adjustments = new Map<string, LateAdjustment[]>();
  const windows = await findLateWindows(
    db,
    subscriptions.map((subscription) => subscription.key),
  );
  if (windows.length === 0) return adjustments;
  // One window per finalized period, however many of its meters have late usage: a window listed once per
  // meter would join its records once per meter, and every total would count them that many times.
  const periods = new Map(
    windows.map((window) => [
      `${window.subscriptionKey}\n${window.coveredStart.toISOString()}\n${window.coveredEnd.toISOString()}`,
      { subscriptionKey: window.subscriptionKey, start: window.coveredStart, end: window.coveredEnd },
    ]),
  );
  const totals = await aggregateUsage(db, [...periods.values()], needs);
  for (const window of windows) {
    const subscription = lookup.subscription(window.subscriptionKey);
    const customer = lookup.customer(subscription?.customer);
    const plan = lookup.plan(subscription?.plan);
    const meter = lookup.meter(window.meterKey);
    if (!subscription || !customer || !plan || !meter) continue;
    const total = totals.find(
      (aggregate) =>
        aggregate.subscriptionKey === window.subscriptionKey &&
        aggregate.meterKey === window.meterKey &&
        aggregate.dimensions === null &&
        aggregate.periodStart === window.coveredStart.toISOString(),
    );
    const quantity = quantityOf(total, meter.aggregation);
    const proration = coveredShare(
      { start: window.periodStart, end: window.periodEnd },
      { start: window.coveredStart, end: window.coveredEnd },
    );
    const charges = plan.charges.map((charge) => contractCharge(charge, subscription.overrides));
    for (const charge of charges.filter((candidate) => candidate.meter === window.meterKey)) {
      // Percentage charges need each event of the period (free events, per-event fees and limits).
      const values =
        charge.model === 'percentage'
          ? await eventValues(
              db,
              { subscriptionKey: window.subscriptionKey, start: window.coveredStart, end: window.coveredEnd },
              meter.key,
            )
          : undefined;
      const billed = await billedFor(db, window.invoiceId, charge.key);
      const rated = reRate(
        rateCharge(charge, customer.currency, { quantity, proration, eventValues: values }),
        { quantity: billed.quantity.toFixed(), amount: billed.amount.toFixed() },
        `billed on ${window.number} and its adjustments`,
      );
      const delta = new Exact(quantity).minus(billed.quantity);
      if (new Exact(rated.amount).isZero() && delta.isZero()) continue;
      const period = `${window.coveredStart.toISOString().slice(0, 10)} to ${window.coveredEnd.toISOString().slice(0, 10)}`;
      const line: LineContent = {
        kind: 'adjustment',
        chargeKey: charge.key,
        meterKey: meter.key,
        description: `${charge.name ?? charge.key}: late usage for ${period} (invoice ${window.number}), ${billed.quantity.toFixed()} → ${quantity} ${meter.unit}${rated.quantityRounding ? `, priced as ${rated.ratedQuantity} (${rated.quantityRounding})` : ''}`,
        periodStart: window.coveredStart.toISOString(),
        periodEnd: window.coveredEnd.toISOString(),
        quantity: delta.toFixed(),
        unitPrice: null,
        amount: rated.amount,
        breakdown: rated.lines,
        groups: [],
        adjustsInvoiceId: window.invoiceId,
      };
      const adjustment: LateAdjustment = {
        invoiceId: window.invoiceId,
        number: window.number,
        period: { start: window.periodStart, end: window.periodEnd },
        covered: { start: window.coveredStart, end: window.coveredEnd },
        line,
      };
      adjustments.set(subscription.key, [...(adjustments.get(subscription.key) ?? []), adjustment]);
    }
  }
  return adjustments;
}
