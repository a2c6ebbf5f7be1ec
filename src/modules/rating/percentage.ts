import type { ChargePrice, ChargeSettings } from '../catalog/index.js';
import { Exact, exact, text } from '../../platform/money.js';
import type { RatingLine } from './rating.js';

type PercentagePrice = Extract<ChargePrice, { model: 'percentage' }>;

export interface PercentageUsage {
  /** The summed amount. */
  total: Exact;
  /** Each event's amount in event order, when known. */
  values: readonly Exact[] | undefined;
  /** How many events, when known. */
  count: number | undefined;
}

const percentOf = (amount: Exact, rate: string) => amount.times(rate).dividedBy(100);

/**
 * Without per-event limits: the rate applies to the total less the free amount, the fixed fee to
 * every event but the free ones. The free amount is the first `freeEvents` events' sum, capped at
 * `freeUnits` when both are set (whichever is used up first); the free events are `freeEvents`, or
 * fewer when the running total reaches `freeUnits` sooner. Nothing is billed for a zero total.
 */
function withoutLimits(usage: PercentageUsage, price: PercentagePrice, settings: ChargeSettings): RatingLine[] {
  const { total, values } = usage;
  const freeCap = exact(settings.freeUnits);
  const firstFree =
    values && settings.freeEvents > 0
      ? values.slice(0, settings.freeEvents).reduce((sum, value) => sum.plus(value), exact(0))
      : undefined;
  let freeAmount = firstFree ?? Exact.min(freeCap, total);
  if (firstFree && freeCap.greaterThan(0)) freeAmount = Exact.min(firstFree, freeCap);
  const charged = Exact.max(0, total.minus(freeAmount));
  const lines: RatingLine[] = [
    {
      kind: 'percentage',
      description: `${settings.rate}% of ${text(charged)} (${text(total)} less ${text(Exact.min(freeAmount, total))} free)`,
      quantity: text(charged),
      rate: settings.rate,
      amount: text(percentOf(charged, settings.rate)),
    },
  ];
  const fee = exact(price.fixedFeePerEvent);
  if (fee.isZero()) return lines;
  const limits: number[] = [];
  if (settings.freeEvents > 0) limits.push(settings.freeEvents);
  if (freeCap.greaterThan(0) && values) {
    let running = exact(0);
    limits.push(values.filter((value) => (running = running.plus(value)).lessThan(freeCap)).length);
  }
  const freeEvents = limits.length > 0 ? Math.min(...limits) : 0;
  const count = usage.count ?? 0;
  const paying = total.isZero() ? 0 : Math.max(0, count - freeEvents);
  lines.push({
    kind: 'event_fees',
    description: `${paying} event(s) × ${price.fixedFeePerEvent} fixed fee (${count - paying} free)`,
    quantity: String(paying),
    unitPrice: price.fixedFeePerEvent,
    amount: text(fee.times(paying)),
  });
  return lines;
}

/**
 * With a per-event minimum or maximum, each event is priced on its own: its chargeable amount (after
 * what is left of the free events and free amount) times the rate, plus the fixed fee, then held
 * within [minPerEvent, maxPerEvent]. Free events and free amount are used up in event order.
 */
function withLimits(values: readonly Exact[], price: PercentagePrice, settings: ChargeSettings): RatingLine[] {
  // The free allowance: `freeEvents` events, `freeUnits` of amount, or both — then it ends with whichever
  // is used up first. Unset, a bound does not limit (no free events: no limit on how many events the free
  // amount covers; no free amount: the free events are wholly free).
  const amountCapped = exact(settings.freeUnits).greaterThan(0);
  let freeEvents = settings.freeEvents > 0 ? settings.freeEvents : amountCapped ? Number.POSITIVE_INFINITY : 0;
  let freeAmount: Exact | undefined = amountCapped ? exact(settings.freeUnits) : undefined;
  let rated = exact(0);
  let fees = exact(0);
  let held = exact(0);
  let paying = 0;
  for (const value of values) {
    let chargeable = value;
    if (freeEvents > 0 && (freeAmount === undefined || freeAmount.greaterThan(0))) {
      freeEvents -= 1;
      if (freeAmount === undefined) continue;
      if (freeAmount.greaterThanOrEqualTo(value)) {
        freeAmount = freeAmount.minus(value);
        continue;
      }
      chargeable = value.minus(freeAmount);
      freeEvents = 0;
      freeAmount = exact(0);
    }
    paying += 1;
    const percentage = percentOf(chargeable, settings.rate);
    let fee = percentage.plus(price.fixedFeePerEvent);
    if (price.minPerEvent !== null) fee = Exact.max(fee, price.minPerEvent);
    if (price.maxPerEvent !== null) fee = Exact.min(fee, price.maxPerEvent);
    rated = rated.plus(percentage);
    fees = fees.plus(price.fixedFeePerEvent);
    held = held.plus(fee);
  }
  const lines: RatingLine[] = [
    {
      kind: 'percentage',
      description: `${settings.rate}% of each of ${paying} paying event(s)`,
      rate: settings.rate,
      amount: text(rated),
    },
  ];
  if (!fees.isZero())
    lines.push({
      kind: 'event_fees',
      description: `${paying} event(s) × ${price.fixedFeePerEvent} fixed fee`,
      quantity: String(paying),
      unitPrice: price.fixedFeePerEvent,
      amount: text(fees),
    });
  const adjustment = held.minus(rated).minus(fees);
  if (!adjustment.isZero()) {
    const range = `[${price.minPerEvent ?? '0'}, ${price.maxPerEvent ?? '∞'}]`;
    lines.push({
      kind: 'per_event_limits',
      description: `each event's fee held within ${range}`,
      amount: text(adjustment),
    });
  }
  return lines;
}

export function percentageLines(
  usage: PercentageUsage,
  price: PercentagePrice,
  settings: ChargeSettings,
): RatingLine[] {
  const perEvent = price.minPerEvent !== null || price.maxPerEvent !== null;
  return perEvent ? withLimits(usage.values ?? [], price, settings) : withoutLimits(usage, price, settings);
}

/** Why the usage is not enough to price this percentage charge, or undefined when it is. */
export function missingPercentageInput(
  usage: PercentageUsage,
  price: PercentagePrice,
  settings: ChargeSettings,
): string | undefined {
  if (usage.values) return undefined;
  if (price.minPerEvent !== null || price.maxPerEvent !== null)
    return "each event's value is needed: the charge holds every event's fee within a minimum or maximum";
  if (settings.freeEvents > 0) return "each event's value is needed: the first events are free";
  if (!exact(price.fixedFeePerEvent).isZero() && exact(settings.freeUnits).greaterThan(0))
    return "each event's value is needed: the free amount decides how many events pay the fixed fee";
  if (!exact(price.fixedFeePerEvent).isZero() && usage.count === undefined)
    return 'the number of events is needed for the fixed fee per event';
  return undefined;
}
