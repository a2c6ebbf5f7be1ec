const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface AccrualSchedule {
  /** Minutes after a period's end before it is accrued: its last events are metered meanwhile. */
  delayMinutes: number;
  /** The billing grace period: after it, drafts drawn at the period's end may have finalized. */
  graceHours: number;
}

/**
 * Which calendar months (UTC, as billing runs take them) are due for their automatic accrual at `now`:
 * those that ended at least the delay ago and less than the grace period ago, oldest first. A draft
 * finalizes no sooner than the grace period after the billing run that drew it, and no billing run of a
 * month starts before the month ends, so within this window every invoice of the period that is not
 * finalized by hand is still a draft. `closed` is the latest month whose window has passed: one that
 * was never accrued was missed (serve was not running, or the setting was off).
 */
export function periodsToAccrue(
  now: Date,
  { delayMinutes, graceHours }: AccrualSchedule,
): { due: string[]; closed: string } {
  const due: string[] = [];
  // The end of the latest month that has ended: the start of the month `now` is in.
  let end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  for (; now.getTime() - end < graceHours * HOUR; end = previousMonthStart(end)) {
    if (now.getTime() - end >= delayMinutes * MINUTE) due.unshift(monthEndingAt(end));
  }
  return { due, closed: monthEndingAt(end) };
}

function previousMonthStart(monthStart: number): number {
  const date = new Date(monthStart);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
}

/** "2026-10" for the month that ends at 2026-11-01T00:00Z. */
function monthEndingAt(end: number): string {
  return new Date(previousMonthStart(end)).toISOString().slice(0, 7);
}
