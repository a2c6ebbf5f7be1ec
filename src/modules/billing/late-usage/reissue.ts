import { releaseBilledUsage } from '../../metering/index.js';
import { enqueue } from '../../outbox/index.js';
import type { Queryable } from '../../../platform/database/database.js';
import { INVOICE_VOIDED_TOPIC } from '../billing.js';

/**
 * Finalized invoices among these that cannot be voided and issued again, so are corrected by memo instead:
 * those an ERP already holds, and those another finalized document has already corrected (a memo, or a
 * roll-forward adjustment on a later invoice, made under another policy). Voiding one of the latter would
 * leave its corrections standing while the new invoice bills their usage again.
 */
export async function unreissuableInvoices(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await db.query<{ id: string }>(
    `select i.id from invoices i
      where i.id = any($1)
        and (i.posted_at is not null
             or exists (select 1 from invoice_lines l join invoices c on c.id = l.invoice_id
                         where l.adjusts_invoice_id = i.id and c.status = 'finalized' and c.id <> i.id))`,
    [ids],
  );
  return new Set(result.rows.map((row) => row.id));
}

/**
 * Voids a finalized, unposted invoice so that it can be issued again: its number stays used (and
 * visible), the usage it billed goes back to no invoice for the regenerated one to bill, and an
 * `invoice.voided` message goes to the outbox, and a draft memo correcting it is dropped — all in the
 * caller's transaction.
 */
export async function voidForReissue(db: Queryable, invoiceId: string, now: Date): Promise<void> {
  const voided = await db.query<{ number: string }>(
    `update invoices set status = 'void', voided_at = $2, updated_at = $2 where id = $1 and status = 'finalized' and posted_at is null returning number`,
    [invoiceId, now],
  );
  if (voided.rowCount !== 1)
    throw new Error(`invoice ${invoiceId} is not a finalized, unposted invoice; it cannot be voided`);
  await releaseBilledUsage(db, invoiceId);
  // A draft memo correcting it corrects what no longer stands: the new invoice bills that usage itself.
  await db.query(`delete from invoices where corrects_invoice_id = $1 and status = 'draft'`, [invoiceId]);
  await enqueue(db, {
    topic: INVOICE_VOIDED_TOPIC,
    key: invoiceId,
    payload: { id: invoiceId, number: voided.rows[0]?.number, reason: 'reissued with late usage' },
    createdAt: now,
  });
}
