import type { Queryable } from '../../../platform/database/database.js';
import { ConflictError, type FieldError } from '../../../platform/errors.js';
import type { CatalogService } from '../../catalog/index.js';
import { finalizedCreditUse } from './credit-balances.js';
import { Exact } from '../../../platform/money.js';

/**
 * Refuses to finalize a document whose credit lines, with what finalized documents already drew, would
 * draw more than the catalog now declares — a draft made before the catalog lowered or removed a credit.
 * Holds the credits lock (via finalizedCreditUse) and reads the catalog after taking it, so no catalog
 * apply or other finalization can slip between the check and the commit.
 */
export async function assertCreditsCover(tx: Queryable, catalog: CatalogService, invoiceId: string): Promise<void> {
  const draws = await tx.query<{ subscription_key: string; credit_key: string; drawn: string }>(
    `select i.subscription_key, l.credit_key, sum(-l.amount)::text as drawn
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.invoice_id = $1 and l.kind = 'credit' group by i.subscription_key, l.credit_key`,
    [invoiceId],
  );
  if (draws.rows.length === 0) return;
  const used = await finalizedCreditUse(
    tx,
    draws.rows.map((row) => `${row.subscription_key}/${row.credit_key}`),
  );
  const current = await catalog.current(tx);
  const problems: FieldError[] = [];
  for (const row of draws.rows) {
    const id = `${row.subscription_key}/${row.credit_key}`;
    const credit = current?.catalog.subscriptions
      .find((subscription) => subscription.key === row.subscription_key)
      ?.credits?.find((candidate) => candidate.key === row.credit_key);
    const before = new Exact(used.get(id)?.drawn ?? '0');
    if (!credit) problems.push({ path: `credit ${id}`, message: 'the catalog no longer declares it' });
    else if (before.plus(row.drawn).greaterThan(credit.amount)) {
      problems.push({
        path: `credit ${id}`,
        message: `draws ${row.drawn} with ${before.toFixed()} already drawn by finalized documents, more than its ${credit.amount}`,
      });
    }
  }
  if (problems.length > 0) {
    throw new ConflictError(
      `invoice ${invoiceId} was drafted before its prepaid credits changed; run billing for its period again, then finalize`,
      problems,
    );
  }
}
