import { Decimal } from 'decimal.js';
import type { FieldError } from '../../platform/errors.js';
import type { Catalog } from './catalog.js';

/** What finalized documents did with one credit (`subscription/credit`): drew this much, invoiced its commitment or not. */
export interface FinalizedCreditUse {
  drawn: string;
  committed: boolean;
}

/** The credits of a catalog that some subscription declares, as `subscription/credit` ids. */
export function declaredCredits(catalog: Catalog): string[] {
  return catalog.subscriptions.flatMap((subscription) =>
    (subscription.credits ?? []).map((credit) => `${subscription.key}/${credit.key}`),
  );
}

/**
 * Changes to credits that finalized invoices already used, which would leave those invoices unexplained:
 * removing the credit, lowering its amount below what was drawn, or turning an invoiced commit into a
 * grant. A credit ends with `expiresAt`, not by disappearing. One error per change, at its place in the
 * next document. Subscriptions the next catalog drops are not this check's concern.
 */
export function finalizedCreditChanges(next: Catalog, used: ReadonlyMap<string, FinalizedCreditUse>): FieldError[] {
  const errors: FieldError[] = [];
  for (const [id, use] of used) {
    const [subscriptionKey, creditKey] = id.split('/') as [string, string];
    const s = next.subscriptions.findIndex((subscription) => subscription.key === subscriptionKey);
    if (s < 0) continue;
    const credits = next.subscriptions[s]?.credits ?? [];
    const c = credits.findIndex((credit) => credit.key === creditKey);
    const credit = credits[c];
    if (!credit) {
      errors.push({
        path: `/subscriptions/${s}/credits`,
        message: `credit "${creditKey}" was ${use.committed ? 'invoiced and ' : ''}drawn by finalized invoices (${use.drawn}): keep it, ended with expiresAt if need be, so their lines stay explained`,
      });
      continue;
    }
    if (new Decimal(credit.amount).lessThan(use.drawn))
      errors.push({
        path: `/subscriptions/${s}/credits/${c}/amount`,
        message: `must be at least ${use.drawn}, what finalized invoices already drew`,
      });
    if (use.committed && credit.kind !== 'commit')
      errors.push({
        path: `/subscriptions/${s}/credits/${c}/kind`,
        message: 'must stay "commit": a finalized invoice has invoiced it',
      });
  }
  return errors;
}
