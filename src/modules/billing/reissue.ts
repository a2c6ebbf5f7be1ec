import type { Queryable } from '../../platform/database/database.js';

export const INVOICE_VOIDED_TOPIC = 'invoice.voided';

/** Finalized invoices among these that an ERP already holds: those are corrected by memo instead. */
export async function postedInvoices(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await db.query<{ id: string }>(`select id from invoices where id = any($1) and posted_at is not null`, [ids]);
  return new Set(result.rows.map((row) => row.id));
}

/**
 * Voids a finalized, unposted invoice so that it can be issued again: its number stays used (and
 * visible), the usage it billed goes back to no invoice for the regenerated one to bill, and an
 * `invoice.voided` message goes to the outbox — all in the caller's transaction.
 */
export async function voidForReissue(db: Queryable, invoiceId: string, now: Date): Promise<void> {
  const voided = await db.query<{ number: string }>(
    `update invoices set status = 'void', voided_at = $2, updated_at = $2 where id = $1 and status = 'finalized' and posted_at is null returning number`,
    [invoiceId, now],
  );
  if (voided.rowCount !== 1) throw new Error(`invoice ${invoiceId} is not a finalized, unposted invoice; it cannot be voided`);
  await db.query(`update usage_records set invoice_id = null where invoice_id = $1`, [invoiceId]);
  await db.query(`insert into outbox (topic, key, payload, created_at) values ($1, $2, $3, $4)`, [
    INVOICE_VOIDED_TOPIC,
    invoiceId,
    JSON.stringify({ id: invoiceId, number: voided.rows[0]?.number, reason: 'reissued with late usage' }),
    now,
  ]);
}
