import { ValidationError, type FieldError } from '../../../platform/errors.js';
import { checkFilterTexts, pageSize, queryPath } from '../../../platform/paging.js';
import { CREDIT_STATUSES, type CreditFilter, type CreditStatus } from '../billing.js';

/** The credit list parameters every caller (HTTP query, CLI options) shares, as strings, named as in the query. */
export type CreditParams = Partial<Record<'subscription' | 'customer' | 'status' | 'after' | 'limit', string>>;

/** Reads a credit list filter, reporting every bad parameter at `pathOf(name)`. */
export function parseCreditQuery(
  params: CreditParams,
  pathOf: (name: string) => string = queryPath,
): { filter: CreditFilter; limit: number } {
  const errors: FieldError[] = [];
  const { subscription, customer, status, after, limit } = params;
  checkFilterTexts(
    [
      ['subscription', subscription],
      ['customer', customer],
      ['after', after],
    ],
    pathOf,
    errors,
  );
  if (status !== undefined && !(CREDIT_STATUSES as readonly string[]).includes(status))
    errors.push({ path: pathOf('status'), message: `must be one of ${CREDIT_STATUSES.join(', ')}` });
  const size = pageSize(limit, pathOf('limit'), errors);
  if (errors.length > 0) throw new ValidationError('invalid credit filter', errors);
  return { filter: { subscription, customer, status: status as CreditStatus | undefined, after }, limit: size };
}
