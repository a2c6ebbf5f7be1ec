import { ValidationError, type FieldError } from '../../platform/errors.js';
import { checkFilterTexts, filterTimes, MAX_PAGE, oneOf, pageSize, queryPath } from '../../platform/paging.js';
import type { ExceptionFilter } from './exceptions-repository.js';
import { EXCEPTION_REASONS, type ExceptionReason } from './usage.js';

export const EXCEPTION_STATUSES = ['open', 'resolved', 'ignored'] as const;
/** Exceptions page like every list; ids given at once (ignore, resolve) are bounded by the same size. */
export const MAX_EXCEPTION_PAGE = MAX_PAGE;
const ID = /^[1-9]\d{0,17}$/;

export interface ExceptionQuery {
  filter: ExceptionFilter;
  limit: number;
}

/** The filter parameters every caller (HTTP query, CLI options) shares, as strings. */
export type ExceptionParams = Partial<
  Record<'status' | 'reason' | 'meter' | 'customer' | 'subject' | 'type' | 'from' | 'to' | 'after' | 'limit', string>
>;

/**
 * Reads a filter for exceptions, reporting every bad parameter at `pathOf(name)`. Statuses and reasons
 * are closed lists; times are RFC 3339 (event time, [from, to)); `after` is an exception id (paging).
 */
export function parseExceptionQuery(
  params: ExceptionParams,
  pathOf: (name: string) => string = queryPath,
): ExceptionQuery {
  const errors: FieldError[] = [];
  const filter: ExceptionFilter = {};
  const { status, reason, from, to, after, limit, type, ...keys } = params;
  if (status !== undefined) filter.status = oneOf(status, EXCEPTION_STATUSES, pathOf('status'), errors);
  if (reason !== undefined) filter.reason = oneOf<ExceptionReason>(reason, EXCEPTION_REASONS, pathOf('reason'), errors);
  checkFilterTexts(Object.entries({ ...keys, type }), pathOf, errors);
  filter.meter = keys.meter;
  filter.customer = keys.customer;
  filter.subject = keys.subject;
  filter.eventType = type;
  Object.assign(filter, filterTimes({ from, to }, pathOf, errors));
  if (after !== undefined) {
    if (ID.test(after)) filter.afterId = after;
    else errors.push({ path: pathOf('after'), message: 'must be an exception id (a positive integer)' });
  }
  const size = pageSize(limit, pathOf('limit'), errors);
  if (errors.length > 0) throw new ValidationError('invalid exception filter', errors);
  return { filter, limit: size };
}

/** One exception id given by a caller (a URL segment, say). */
export function parseExceptionId(id: unknown, path: string): string {
  const text = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : id;
  if (typeof text !== 'string' || !ID.test(text))
    throw new ValidationError('invalid exception id', [
      { path, message: 'must be an exception id (a positive integer)' },
    ]);
  return text;
}

/** Exception ids given by a caller: positive integers, no repeats, at most MAX_EXCEPTION_PAGE. */
export function parseExceptionIds(ids: readonly unknown[], path: string): string[] {
  const errors: FieldError[] = [];
  if (ids.length === 0 || ids.length > MAX_EXCEPTION_PAGE)
    errors.push({ path, message: `must list 1-${MAX_EXCEPTION_PAGE} exception ids` });
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    const text = typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : id;
    if (typeof text !== 'string' || !ID.test(text))
      errors.push({ path: `${path}/${i}`, message: 'must be an exception id (a positive integer)' });
    else if (seen.has(text)) errors.push({ path: `${path}/${i}`, message: `repeats exception ${text}` });
    else seen.add(text);
  });
  if (errors.length > 0) throw new ValidationError('invalid exception ids', errors);
  return [...seen];
}
