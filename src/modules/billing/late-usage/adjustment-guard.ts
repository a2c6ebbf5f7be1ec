import type { Queryable } from '../../../platform/database/database.js';
import { ConflictError, type FieldError } from '../../../platform/errors.js';
import { billedFor } from './late-adjustments.js';
import { Exact, toMoney } from '../../../platform/money.js';

/**
 * Refuses to finalize a document whose late-usage adjustments were drafted against a billed total that
 * finalized documents have changed since: two drafts (October's and November's, say, the first not yet
 * finalized when the second was drafted) adjusting one finalized invoice for the same late usage would
 * otherwise bill it twice. The first to finalize wins; the other waits until a run redrafts it (its
 * adjustment then covers only what is still unbilled). The adjusted invoices' rows are locked first, so
 * two such finalizations at once are serialized and the second sees what the first wrote.
 */
export async function assertAdjustmentsCurrent(tx: Queryable, invoiceId: string): Promise<void> {
  const assumed = await tx.query<{
    line_no: number;
    adjusts_invoice_id: string;
    number: string | null;
    status: string;
    currency: string;
    charge_key: string;
    quantity: string | null;
    amount: string | null;
  }>(
    `select l.line_no, l.adjusts_invoice_id, a.number, a.status, a.currency, l.charge_key, b.item->>'quantity' as quantity, b.item->>'amount' as amount
       from invoice_lines l
       join invoices a on a.id = l.adjusts_invoice_id
       cross join lateral jsonb_array_elements(l.breakdown) as b(item)
      where l.invoice_id = $1 and l.kind = 'adjustment' and l.meter_key is not null and b.item->>'kind' = 'already_billed'
      order by l.line_no`,
    [invoiceId],
  );
  if (assumed.rows.length === 0) return;
  const adjusted = [...new Set(assumed.rows.map((row) => row.adjusts_invoice_id))].sort();
  await tx.query(`select id from invoices where id = any($1) order by id for update`, [adjusted]);
  const problems: FieldError[] = [];
  for (const row of assumed.rows) {
    // A corrected invoice voided since (issued again with the late usage) is corrected by its replacement.
    if (row.status !== 'finalized') {
      problems.push({
        path: `line ${row.line_no}`,
        message: `adjusts invoice ${row.number ?? row.adjusts_invoice_id}, which is ${row.status} now`,
      });
      continue;
    }
    const billed = await billedFor(tx, row.adjusts_invoice_id, row.charge_key);
    const assumedAmount = new Exact(row.amount ?? '0').negated();
    const assumedQuantity = new Exact(row.quantity ?? '0');
    if (billed.amount.equals(assumedAmount) && billed.quantity.equals(assumedQuantity)) continue;
    problems.push({
      path: `line ${row.line_no}`,
      message: `adjusts ${row.charge_key} of invoice ${row.number ?? row.adjusts_invoice_id} as billed ${assumedQuantity.toFixed()} for ${toMoney(assumedAmount, row.currency)}, but finalized documents now bill ${billed.quantity.toFixed()} for ${toMoney(billed.amount, row.currency)}`,
    });
  }
  if (problems.length > 0) {
    throw new ConflictError(
      `invoice ${invoiceId} was drafted before another document adjusted the same invoice; run billing for its period again, then finalize`,
      problems,
    );
  }
}
