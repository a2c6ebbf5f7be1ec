import type { Queryable } from '../../../platform/database/database.js';
import { ConflictError, type FieldError } from '../../../platform/errors.js';
import type { CatalogService } from '../../catalog/index.js';
import { finalizedCreditUse, findCreditDraws } from './credit-repository.js';
import { Exact } from '../../../platform/money.js';

/**
 * Refuses to finalize a document whose credit lines, with what finalized documents already drew, would
 * draw more than the catalog now declares — a draft made before the catalog lowered or removed a credit.
 * Holds the credits lock (via finalizedCreditUse) and reads the catalog after taking it, so no catalog
 * apply or other finalization can slip between the check and the commit.
 */
export async function assertCreditsCover(tx: Queryable, catalog: CatalogService, invoiceId: string): Promise<void> {
  const draws = await findCreditDraws(tx, invoiceId);
  if (draws.length === 0) return;
  const used = await finalizedCreditUse(
    tx,
    draws.map((draw) => `${draw.subscriptionKey}/${draw.creditKey}`),
  );
  const current = await catalog.current(tx);
  const problems: FieldError[] = [];
  for (const draw of draws) {
    const id = `${draw.subscriptionKey}/${draw.creditKey}`;
    const credit = current?.catalog.subscriptions
      .find((subscription) => subscription.key === draw.subscriptionKey)
      ?.credits?.find((candidate) => candidate.key === draw.creditKey);
    const before = new Exact(used.get(id)?.drawn ?? '0');
    if (!credit) problems.push({ path: `credit ${id}`, message: 'the catalog no longer declares it' });
    else if (before.plus(draw.drawn).greaterThan(credit.amount)) {
      problems.push({
        path: `credit ${id}`,
        message: `draws ${draw.drawn} with ${before.toFixed()} already drawn by finalized documents, more than its ${credit.amount}`,
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
