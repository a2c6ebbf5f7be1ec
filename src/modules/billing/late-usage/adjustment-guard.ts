import type { Queryable } from '../../../platform/database/database.js';
import { ConflictError, type FieldError } from '../../../platform/errors.js';
import { billedFor, findAdjustmentAssumptions, lockInvoices } from './late-usage-repository.js';
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
  const assumed = await findAdjustmentAssumptions(tx, invoiceId);
  if (assumed.length === 0) return;
  await lockInvoices(tx, [...new Set(assumed.map((line) => line.adjustsInvoiceId))].sort());
  const problems: FieldError[] = [];
  for (const line of assumed) {
    const adjusted = line.number ?? line.adjustsInvoiceId;
    // A corrected invoice voided since (issued again with the late usage) is corrected by its replacement.
    if (line.status !== 'finalized') {
      problems.push({
        path: `line ${line.lineNo}`,
        message: `adjusts invoice ${adjusted}, which is ${line.status} now`,
      });
      continue;
    }
    const billed = await billedFor(tx, line.adjustsInvoiceId, line.chargeKey);
    const assumedAmount = new Exact(line.amount ?? '0').negated();
    const assumedQuantity = new Exact(line.quantity ?? '0');
    if (billed.amount.equals(assumedAmount) && billed.quantity.equals(assumedQuantity)) continue;
    problems.push({
      path: `line ${line.lineNo}`,
      message: `adjusts ${line.chargeKey} of invoice ${adjusted} as billed ${assumedQuantity.toFixed()} for ${toMoney(assumedAmount, line.currency)}, but finalized documents now bill ${billed.quantity.toFixed()} for ${toMoney(billed.amount, line.currency)}`,
    });
  }
  if (problems.length > 0) {
    throw new ConflictError(
      `invoice ${invoiceId} was drafted before another document adjusted the same invoice; run billing for its period again, then finalize`,
      problems,
    );
  }
}
