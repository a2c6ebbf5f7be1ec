import type { Queryable } from '../../platform/database/database.js';
import { recordAudit } from '../audit/index.js';
import { expeditePosting, requeueMissingPosting } from '../outbox/index.js';
import { REPAIRABLE, type Mismatch } from './reconciliation.js';

// A repair reconciliation may make on its own, in the caller's transaction, audited: only what puts a
// posting back in line (the dispatcher reads back before it sends, so nothing is posted twice). Anything
// else is refused with the reason, and the mismatch keeps what a person must do.

export type RepairOutcome = { repaired: true; action: string } | { repaired: false; reason: string };

export async function repairMismatch(
  tx: Queryable,
  runId: string,
  mismatch: Mismatch,
  actor: string,
  now: Date,
): Promise<RepairOutcome> {
  if (!REPAIRABLE.has(mismatch.class) || mismatch.postingId === null)
    return {
      repaired: false,
      reason: `a ${mismatch.class} mismatch is not safe to repair without a person: ${mismatch.action}`,
    };
  if (mismatch.repaired)
    return { repaired: false, reason: `mismatch ${mismatch.seq} of run ${runId} is repaired already` };
  const done =
    mismatch.class === 'posting_missing_in_target'
      ? await requeueMissingPosting(tx, mismatch.postingId, now)
      : await expeditePosting(tx, mismatch.postingId, now);
  if (!done)
    return {
      repaired: false,
      reason: `posting ${mismatch.postingId} is no longer ${mismatch.class === 'posting_missing_in_target' ? 'delivered' : 'open'}: reconcile again to see where it stands`,
    };
  await recordAudit(tx, now, [
    {
      actor,
      action: 'reconciliation.repair',
      target: `posting:${mismatch.postingId}`,
      detail: { run: runId, mismatch: mismatch.seq, class: mismatch.class, externalId: mismatch.externalId },
    },
  ]);
  const action =
    mismatch.class === 'posting_missing_in_target'
      ? `repaired at ${now.toISOString()} by ${actor}: put back in line; the dispatcher reads it back and sends it again`
      : `repaired at ${now.toISOString()} by ${actor}: made due now`;
  return { repaired: true, action };
}
