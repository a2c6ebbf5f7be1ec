import { releaseBilledUsage } from '../../metering/index.js';
import { enqueue } from '../../outbox/index.js';
import type { Queryable } from '../../../platform/database/database.js';
import { INVOICE_VOIDED_TOPIC } from '../billing.js';
import { deleteDraftMemo, voidInvoice } from './late-usage-repository.js';

/**
 * Voids a finalized, unposted invoice so that it can be issued again: its number stays used (and
 * visible), the usage it billed goes back to no invoice for the regenerated one to bill, and an
 * `invoice.voided` message goes to the outbox, and a draft memo correcting it is dropped — all in the
 * caller's transaction.
 */
export async function voidForReissue(db: Queryable, invoiceId: string, now: Date): Promise<void> {
  const voided = await voidInvoice(db, invoiceId, now);
  if (!voided) throw new Error(`invoice ${invoiceId} is not a finalized, unposted invoice; it cannot be voided`);
  await releaseBilledUsage(db, invoiceId);
  // A draft memo correcting it corrects what no longer stands: the new invoice bills that usage itself.
  await deleteDraftMemo(db, invoiceId);
  await enqueue(db, {
    topic: INVOICE_VOIDED_TOPIC,
    key: invoiceId,
    payload: { id: invoiceId, number: voided.number, reason: 'reissued with late usage' },
    createdAt: now,
  });
}
