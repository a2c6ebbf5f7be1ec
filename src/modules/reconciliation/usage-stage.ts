import { Decimal } from 'decimal.js';
import type { Queryable } from '../../platform/database/database.js';
import { meteredLinesOf, periodContaining, tallyInvoiced } from '../billing/index.js';
import type { Catalog } from '../catalog/index.js';
import { scanUsage } from '../metering/index.js';
import { NO_PLACE, type MeterRow, type NewMismatch } from './reconciliation.js';

// The first two stages: the product's usage (accepted billable events, as usage records) against what
// finalized documents rate and invoice, per legal entity, currency, customer and meter. A usage record no
// document bills is a mismatch once its subscription period has closed; one billed by a document with no
// line for its meter is one always, unless the records come to nothing (the invoice bills them at 0).

export interface UsageScope {
  start: Date;
  end: Date;
  legalEntity?: string;
  now: Date;
  graceHours: number;
}

const rowKey = (entity: string, currency: string, customer: string, meter: string | null) =>
  [entity, currency, customer, meter ?? ''].join('\u0000');

export async function reconcileUsage(
  db: Queryable,
  catalog: Catalog | undefined,
  scope: UsageScope,
  report: (mismatch: NewMismatch) => void,
): Promise<MeterRow[]> {
  const range = { start: scope.start, end: scope.end, legalEntity: scope.legalEntity };
  const rows = new Map<string, MeterRow>();
  const usage = await scanUsage(db, range, (ids) => meteredLinesOf(db, ids));
  for (const tally of usage.tallies)
    rows.set(rowKey(tally.legalEntity, tally.currency, tally.customer, tally.meter), {
      legalEntity: tally.legalEntity,
      currency: tally.currency,
      customer: tally.customer,
      meter: tally.meter,
      usageRecords: tally.records,
      usageQuantity: tally.quantity,
      invoicedRecords: tally.invoicedRecords,
      invoicedRecordQuantity: tally.invoicedQuantity,
      lineQuantity: null,
      lineAmount: '0',
    });
  for (const tally of await tallyInvoiced(db, { from: scope.start, to: scope.end, legalEntity: scope.legalEntity })) {
    const key = rowKey(tally.legalEntity, tally.currency, tally.customer, tally.meter);
    const row = rows.get(key) ?? {
      legalEntity: tally.legalEntity,
      currency: tally.currency,
      customer: tally.customer,
      meter: tally.meter,
      usageRecords: 0,
      usageQuantity: '0',
      invoicedRecords: 0,
      invoicedRecordQuantity: '0',
      lineQuantity: null,
      lineAmount: '0',
    };
    rows.set(key, { ...row, lineQuantity: tally.quantity, lineAmount: tally.amount });
  }

  for (const stray of usage.strays) {
    // Records that come to nothing (a gauge that stayed at 0, a sum of zeros) are billed by an invoice that
    // answers for its plan's metered charges without a line: billing drafts no line for a quantity of 0,
    // and finalizing proves the records it marks come to it. Nothing is left off the invoice.
    if (new Decimal(stray.quantity).isZero()) continue;
    report({
      ...NO_PLACE,
      class: 'usage_not_on_invoice',
      meter: stray.meter,
      invoiceId: stray.invoiceId,
      expected: String(stray.records),
      actual: '0',
      detail: `${stray.records} usage records of meter ${stray.meter} (quantity ${stray.quantity}) are marked billed by ${stray.invoiceId}, which has no line for that meter`,
      action: 'a person must look: the records and the document disagree; re-rate with a billing run or report it',
    });
  }

  // Before a period is billed, every subscription and meter has unbilled usage: look subscriptions up by key.
  const subscriptions = new Map((catalog?.subscriptions ?? []).map((subscription) => [subscription.key, subscription]));
  for (const unbilled of usage.unbilled) {
    const subscription = subscriptions.get(unbilled.subscription);
    const held = subscription && periodContaining(subscription, new Date(unbilled.oldest));
    const closes = held && new Date(held.period.end.getTime() + scope.graceHours * 3_600_000);
    // A period still open (or its drafts still within their grace) is not a mismatch yet: the run is provisional.
    if (closes && closes > scope.now) continue;
    report({
      ...NO_PLACE,
      class: 'unbilled_past_close',
      legalEntity: unbilled.legalEntity,
      currency: unbilled.currency,
      customer: unbilled.customer,
      meter: unbilled.meter,
      expected: String(unbilled.records),
      actual: '0',
      detail: `${unbilled.records} usage records of subscription ${unbilled.subscription}, meter ${unbilled.meter} (quantity ${new Decimal(unbilled.quantity).toFixed()}), the oldest at ${unbilled.oldest}, are on no finalized document${closes ? `, though their period closed at ${closes.toISOString()}` : ' (the subscription is not in the current catalog)'}`,
      action:
        "run the period's billing (meterbridge bill --period, or POST /v1/billing-runs) and finalize its drafts; late usage follows the subscription's late policy",
    });
  }
  return [...rows.values()];
}
