import { ValidationError, type FieldError } from '../../platform/errors.js';
import { checkFilterTexts, oneOf, pageSize, queryPath } from '../../platform/paging.js';
import { POSTING_STATUSES, type PostingStatus } from './outbox.js';
import type { PostingFilter } from './posting-queries.js';

/** The list parameters every caller (HTTP query, CLI options) shares, as strings, named as in the query. */
export type PostingParams = Partial<Record<'status' | 'target' | 'period' | 'after' | 'limit', string>>;

const ID = /^[1-9]\d{0,17}$/;
const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Reads a posting list filter, every bad parameter reported together at `pathOf(name)`. */
export function parsePostingQuery(
  params: PostingParams,
  pathOf: (name: string) => string = queryPath,
): { filter: PostingFilter; limit: number } {
  const errors: FieldError[] = [];
  const { status, target, period, after, limit } = params;
  checkFilterTexts([['target', target]], pathOf, errors);
  const filter: PostingFilter = { targetKey: target };
  if (status !== undefined) {
    const one = oneOf<PostingStatus>(status, POSTING_STATUSES, pathOf('status'), errors);
    if (one) filter.statuses = [one];
  }
  if (period !== undefined) {
    if (PERIOD.test(period)) filter.period = period;
    else errors.push({ path: pathOf('period'), message: 'must be a month, YYYY-MM' });
  }
  if (after !== undefined) {
    if (ID.test(after)) filter.afterId = after;
    else errors.push({ path: pathOf('after'), message: 'must be a posting id (a positive integer)' });
  }
  const size = pageSize(limit, pathOf('limit'), errors);
  if (errors.length > 0) throw new ValidationError('invalid posting filter', errors);
  return { filter, limit: size };
}

/** A posting id from a path or an argument: digits, within a bigint. */
export function isPostingId(value: string): boolean {
  return ID.test(value);
}
