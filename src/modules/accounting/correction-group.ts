import type { Queryable } from '../../platform/database/database.js';
import { findUndeliveredHolder, lockOpenHolder } from '../outbox/index.js';

/** Where a correction's journal lines go: a summarizing group, and the posting it waits for, if any. */
export interface CorrectionGroup {
  groupKey: string;
  /** External id of the posting that carries the corrected invoice and must reach the target first. */
  after?: string;
}

/**
 * The group a correction of an invoice (a void's reversed lines, a memo) joins in journal mode. A ledger
 * must never hold a reversal of revenue it never had: while the corrected invoice's entry is not
 * delivered (pending, retrying, even dead), the correction goes into a group of its own, keyed by that
 * entry's external id and waiting for it. Joining the corrected entry itself is the one exception (while
 * it is still open, the lines net out in it). Once the entry is delivered, or if it was never posted or
 * was cancelled, the correction joins its date's group as any document does.
 */
export async function correctionGroup(
  tx: Queryable,
  targetKey: string,
  groupKey: string,
  correctedInvoiceId: string,
): Promise<CorrectionGroup> {
  const holder = await findUndeliveredHolder(tx, targetKey, correctedInvoiceId);
  if (!holder) return { groupKey };
  if (holder.groupKey === groupKey && (await lockOpenHolder(tx, targetKey, holder))) return { groupKey };
  return { groupKey: `${groupKey}|after:${holder.externalId}`, after: holder.externalId };
}
