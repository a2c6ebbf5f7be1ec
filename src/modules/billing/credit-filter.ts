import { ValidationError, type FieldError } from '../../platform/errors.js';
import { CREDIT_STATUSES, type CreditFilter, type CreditStatus } from './credit-balances.js';
import { MAX_TEXT, pageSize, queryPath } from './invoice-filter.js';

/** The credit list parameters every caller (HTTP query, CLI options) shares, as strings, named as in the query. */
export type CreditParams = Partial<Record<'subscription' | 'customer' | 'status' | 'after' | 'limit', string>>;

/** Reads a credit list filter, reporting every bad parameter at `pathOf(name)`. */
export function parseCreditQuery(
  params: CreditParams,
  pathOf: (name: string) => string = queryPath,
): { filter: CreditFilter; limit: number } {
  const errors: FieldError[] = [];
  const { subscription, customer, status, after, limit } = params;
  for (const [name, value] of [
    ['subscription', subscription],
    ['customer', customer],
    ['after', after],
  ] as const) {
    if (value !== undefined && (value.length === 0 || value.length > MAX_TEXT))
      errors.push({ path: pathOf(name), message: `must be 1-${MAX_TEXT} characters` });
  }
  if (status !== undefined && !(CREDIT_STATUSES as readonly string[]).includes(status))
    errors.push({ path: pathOf('status'), message: `must be one of ${CREDIT_STATUSES.join(', ')}` });
  const size = pageSize(limit, pathOf('limit'), errors);
  if (errors.length > 0) throw new ValidationError('invalid credit filter', errors);
  return { filter: { subscription, customer, status: status as CreditStatus | undefined, after }, limit: size };
}
