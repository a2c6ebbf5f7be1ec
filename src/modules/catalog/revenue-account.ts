import type { Accounting, Charge } from './catalog.js';

/**
 * The revenue account a charge posts to in a legal entity's ledger: the charge's own account, else its
 * meter's, else the entity's default; undefined when none applies (a valid catalog has none such for the
 * charges its posted entities bill). Own keys only: a charge named `constructor` is not Object's.
 */
export function revenueAccountFor(
  accounting: Pick<Accounting, 'accounts'>,
  charge: Pick<Charge, 'key' | 'meter'>,
): string | undefined {
  const { charges = {}, meters = {}, default: fallback } = accounting.accounts.revenue;
  if (Object.hasOwn(charges, charge.key)) return charges[charge.key];
  if (charge.meter !== undefined && Object.hasOwn(meters, charge.meter)) return meters[charge.meter];
  return fallback;
}
