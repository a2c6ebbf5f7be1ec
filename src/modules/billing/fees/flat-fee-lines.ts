import type { Charge } from '../../catalog/index.js';
import { rateCharge } from '../../rating/index.js';
import { coveredShare, isoDay as day } from '../invoicing/periods.js';
import { Exact, toMoney } from '../../../platform/money.js';
import type { LineContent, FeeBilled, Period } from '../billing.js';

/** A flat fee for one period (prorated to the covered part), in advance or in arrears. */
export function flatFeeLine(
  charge: Charge,
  currency: string,
  period: Period,
  covered: Period,
  timing: string,
): LineContent {
  const proration = coveredShare(period, covered);
  const rated = rateCharge(charge, currency, { quantity: '0', proration });
  const partial = proration === '1' ? '' : `, ${day(covered.start)} to ${day(covered.end)}`;
  return {
    kind: 'flat_fee',
    chargeKey: charge.key,
    meterKey: null,
    description: `${charge.name ?? charge.key} (${timing.replace('_', ' ')}${partial})`,
    periodStart: covered.start.toISOString(),
    periodEnd: covered.end.toISOString(),
    quantity: null,
    unitPrice: null,
    amount: rated.amount,
    breakdown: rated.lines,
    groups: [],
  };
}

/**
 * The line that bills an in-advance fee period: the whole (prorated) fee when no finalized document has
 * billed it yet; otherwise an adjustment of the difference between the fee now and what was billed
 * (none when they agree) — a subscription that ended or changed plan inside a period it paid for in
 * advance gets back the part it did not use. The line records what it assumed billed, which finalizing
 * checks (`already_billed`).
 */
export function advanceFeeLine(
  charge: Charge,
  currency: string,
  period: Period,
  covered: Period,
  billed: FeeBilled,
): LineContent | undefined {
  const fee = flatFeeLine(charge, currency, period, covered, 'in_advance');
  if (!billed.finalized) return fee;
  const difference = new Exact(fee.amount).minus(billed.finalized.amount);
  if (difference.isZero()) return undefined;
  return {
    ...fee,
    kind: 'adjustment',
    description: `${charge.name ?? charge.key}: ${day(covered.start)} to ${day(covered.end)}, billed in advance on ${billed.finalized.numbers.join(', ')}: ${toMoney(new Exact(billed.finalized.amount), currency)} → ${fee.amount}`,
    amount: toMoney(difference, currency),
    breakdown: [
      ...fee.breakdown,
      {
        kind: 'already_billed',
        description: `billed in advance on ${billed.finalized.numbers.join(', ')}`,
        amount: toMoney(new Exact(billed.finalized.amount).negated(), currency),
      },
    ],
    adjustsInvoiceId: billed.finalized.invoiceIds.at(-1),
  };
}
