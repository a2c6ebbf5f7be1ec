import type { Queryable } from '../../platform/database/database.js';
import { markInvoicesPosted } from '../billing/index.js';
import type { Posting } from '../outbox/index.js';

/**
 * A delivered invoice or journal entry: the finalized invoices it carries are now in a ledger, so late
 * usage corrects them by memo rather than voiding them (a ledger's copy cannot be taken back). The same
 * holds for a document handed to a billing platform: its charges are on the customer's account there. Accruals
 * and voids name invoices that are drafts or void already, which this leaves as they are.
 */
export async function notePostedDocuments(tx: Queryable, posting: Posting, at: Date): Promise<void> {
  const body = posting.body;
  const ids =
    body.type === 'journal'
      ? body.lines.flatMap((line) => line.references.map((reference) => reference.invoiceId))
      : body.type === 'billing_items'
        ? body.items.map((item) => item.reference.invoiceId)
        : body.type === 'usage_events'
          ? [body.source.invoiceId]
          : body.lines.map((line) => line.reference.invoiceId);
  await markInvoicesPosted(tx, [...new Set(ids)], at);
}
