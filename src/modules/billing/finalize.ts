import type { Clock } from '../../platform/clock.js';
import type { Database, Queryable } from '../../platform/database/database.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { recordAudit } from '../audit/index.js';
import type { CatalogService } from '../catalog/index.js';
import { assertAdjustmentsCurrent } from './adjustment-guard.js';
import { assertAdvanceFeesCurrent } from './advance-fee-guard.js';
import { assertCreditsCover } from './credit-guard.js';
import { findInvoice, type Invoice } from './invoice-queries.js';

export const INVOICE_FINALIZED_TOPIC = 'invoice.finalized';

/** The next number of the legal entity's sequence, with its row locked until the transaction ends: no gaps. */
async function nextNumber(db: Queryable, legalEntity: string): Promise<string> {
  await db.query(`insert into invoice_sequences (legal_entity, last_number) values ($1, 0) on conflict (legal_entity) do nothing`, [legalEntity]);
  const result = await db.query<{ last_number: string }>(
    `update invoice_sequences set last_number = last_number + 1 where legal_entity = $1 returning last_number::text`,
    [legalEntity],
  );
  return `${legalEntity}-${(result.rows[0]?.last_number ?? '0').padStart(6, '0')}`;
}

/**
 * Finalizes one draft: numbers it (next of its legal entity, consecutive), freezes it, marks the usage
 * records its usage lines bill as invoiced (so replay never changes them), and writes the
 * `invoice.finalized` message to the outbox, all in one transaction. A rollback gives the number back.
 */
export async function finalizeInvoice(db: Database, clock: Clock, catalog: CatalogService, id: string, actor: string): Promise<Invoice> {
  await db.transaction(async (tx) => {
    const locked = await tx.query<{ status: string; legal_entity: string }>(`select status, legal_entity from invoices where id = $1 for update`, [id]);
    const row = locked.rows[0];
    if (!row) throw new NotFoundError(`there is no invoice ${id}`);
    if (row.status !== 'draft') throw new ConflictError(`invoice ${id} is ${row.status}; only a draft can be finalized`);
    await assertAdjustmentsCurrent(tx, id);
    await assertAdvanceFeesCurrent(tx, id);
    await assertCreditsCover(tx, catalog, id);
    const now = clock.now();
    const number = await nextNumber(tx, row.legal_entity);
    await tx.query(`update invoices set status = 'finalized', number = $2, finalized_at = $3, updated_at = $3 where id = $1`, [id, number, now]);
    await tx.query(
      `update usage_records u set invoice_id = $1
         from invoices i join invoice_lines l on l.invoice_id = i.id and l.kind in ('usage', 'adjustment')
        where i.id = $1 and u.subscription_key = i.subscription_key and u.meter_key = l.meter_key
          and u.event_time >= l.period_start and u.event_time < l.period_end and u.invoice_id is null`,
      [id],
    );
    const invoice = (await findInvoice(tx, id)) as Invoice;
    await tx.query(`insert into outbox (topic, key, payload, created_at) values ($1, $2, $3, $4)`, [INVOICE_FINALIZED_TOPIC, id, JSON.stringify(invoice), now]);
    await recordAudit(tx, now, [{ actor, action: 'invoice.finalize', target: `invoice:${id}`, detail: { number, total: invoice.total, currency: invoice.currency } }]);
  });
  return (await findInvoice(db, id)) as Invoice;
}

/** What finalizing the due drafts did: the ids finalized, and the drafts left as they are with the reason. */
export interface FinalizeDueResult {
  finalized: string[];
  skipped: { id: string; reason: string }[];
}

/**
 * Finalizes every draft whose grace period has passed, earliest period first (a period's in-advance fee
 * is billed on the invoice before it, and prepaid credit is drawn in period order). A draft finalized
 * meanwhile by someone else, or drafted against credits, adjustments or fees that have changed since
 * (the next billing run redrafts it), is skipped with the reason, never failing the others.
 */
export async function finalizeDue(db: Database, clock: Clock, catalog: CatalogService, actor: string): Promise<FinalizeDueResult> {
  const due = await db.query<{ id: string }>(`select id from invoices where status = 'draft' and finalize_after <= $1 order by period_start, finalize_after, id`, [clock.now()]);
  const result: FinalizeDueResult = { finalized: [], skipped: [] };
  for (const { id } of due.rows) {
    try {
      await finalizeInvoice(db, clock, catalog, id, actor);
      result.finalized.push(id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      result.skipped.push({ id, reason: [error.message, ...error.errors.map((item) => `${item.path}: ${item.message}`)].join('; ') });
    }
  }
  return result;
}
