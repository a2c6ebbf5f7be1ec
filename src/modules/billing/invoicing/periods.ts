import type { BillingPeriod, Subscription } from '../../catalog/index.js';
import { Exact } from '../../../platform/money.js';
import { type Period } from '../billing.js';

// Billing periods of a subscription. Boundaries are anchored on the subscription: every 1, 3 or 12
// months from its start (same day and time of day, the day clamped to the month's length), or, with
// `anchorDay`, at 00:00 UTC on that day of every 1st, 3rd or 12th month counting from the start month;
// then the first period runs from the start to the first boundary after it (a partial, prorated one).

const MONTHS: Readonly<Record<BillingPeriod, number>> = { month: 1, quarter: 3, year: 12 };

/** `date` moved by whole months, the day of month kept or clamped to the last day (Jan 31 + 1 → Feb 28). */
function addMonths(date: Date, months: number): Date {
  const target = new Date(
    Date.UTC(
      date.getUTCFullYear(),
      date.getUTCMonth() + months,
      1,
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
      date.getUTCMilliseconds(),
    ),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target;
}

/** The k-th boundary (k >= 0) of the subscription's schedule. */
function boundary(subscription: Subscription, k: number): Date {
  const start = new Date(subscription.start);
  const step = MONTHS[subscription.billingPeriod] * k;
  if (subscription.anchorDay === undefined) return addMonths(start, step);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + step, subscription.anchorDay));
}

/**
 * The subscription's periods whose covered part starts in [from, to), in order. A period is the whole
 * schedule interval; `covered` is the part of it the subscription was active in (its start and end cut
 * the first and last), which prorates flat fees and commitments.
 */
export function periodsStartingIn(
  subscription: Subscription,
  from: Date,
  to: Date,
): { period: Period; covered: Period }[] {
  const start = new Date(subscription.start);
  const end = subscription.end ? new Date(subscription.end) : undefined;
  const found: { period: Period; covered: Period }[] = [];
  // With an anchor day the schedule's first boundary may fall after the start (the interval before it
  // is then a partial first period) or before it (the start is inside the first interval): begin one
  // interval early and skip what ends before the start. A run looks at one month of a subscription that
  // may be years old: begin two intervals before `from` rather than at the start (boundaries never run
  // ahead of whole months from the start, so none starting at or after `from` is skipped).
  const monthsToFrom =
    (from.getUTCFullYear() - start.getUTCFullYear()) * 12 + (from.getUTCMonth() - start.getUTCMonth());
  for (let k = Math.max(-1, Math.floor(monthsToFrom / MONTHS[subscription.billingPeriod]) - 2); ; k += 1) {
    const periodStart = boundary(subscription, k);
    const periodEnd = boundary(subscription, k + 1);
    if (periodEnd <= start) continue;
    const covered = { start: periodStart < start ? start : periodStart, end: end && end < periodEnd ? end : periodEnd };
    if (covered.start >= to || covered.start >= covered.end) break;
    if (covered.start >= from) found.push({ period: { start: periodStart, end: periodEnd }, covered });
  }
  return found;
}

/** The subscription's period holding an instant (its covered part starting at or before it), or undefined. */
export function periodContaining(
  subscription: Subscription,
  at: Date,
): { period: Period; covered: Period } | undefined {
  const from = addMonths(at, -13);
  return periodsStartingIn(subscription, from, new Date(at.getTime() + 1))
    .filter(({ period, covered }) => covered.start <= at && at < period.end)
    .at(-1);
}

/** The share of the period the subscription covered, exact decimal text: prorates flat fees, minimums and maximums. */
export function coveredShare(period: Period, covered: Period): string {
  return new Exact(covered.end.getTime() - covered.start.getTime())
    .dividedBy(period.end.getTime() - period.start.getTime())
    .toFixed();
}

/** A calendar month "2026-10" as [2026-10-01, 2026-11-01) UTC; undefined when malformed. */
export function calendarMonth(text: string): Period | undefined {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]) - 1;
  return { start: new Date(Date.UTC(year, month, 1)), end: new Date(Date.UTC(year, month + 1, 1)) };
}

/** The UTC calendar day of an instant, "2026-11-16": how invoice descriptions name period bounds. */
export const isoDay = (date: Date | string): string => new Date(date).toISOString().slice(0, 10);
