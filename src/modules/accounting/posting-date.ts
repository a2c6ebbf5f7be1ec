import type { Invoice } from '../billing/index.js';
import type { PostingDate } from '../catalog/index.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/**
 * The ledger date of a document (YYYY-MM-DD, UTC): the day it was finalized, or the last day of the
 * period it bills (`period_end`, for ledgers that close usage revenue into its month).
 */
export function postingDateOf(document: Invoice, rule: PostingDate, finalizedAt: Date): string {
  const date = rule === 'period_end' ? new Date(new Date(document.periodEnd).getTime() - 1) : finalizedAt;
  return date.toISOString().slice(0, 10);
}

/**
 * When a date's summarized entry may be sent: an hour after the day ends, and for period-end dates after
 * the grace period too, when the period's drafts have finalized on their own. A document finalized later
 * starts the date's next entry.
 */
export function summaryDueAt(postingDate: string, rule: PostingDate, graceHours: number): Date {
  const dayEnd = Date.parse(`${postingDate}T00:00:00Z`) + DAY;
  return new Date(dayEnd + HOUR + (rule === 'period_end' ? graceHours * HOUR : 0));
}
