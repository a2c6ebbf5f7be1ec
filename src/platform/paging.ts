import type { FieldError } from './errors.js';
import { DATE_TIME_MESSAGE, isRfc3339DateTime } from './time-range.js';

// Keyset paging as every list (HTTP query strings, CLI options) offers it: `limit` items after the key
// `after`, and the key of the next page. One size rule for every list, so clients page them all alike.

export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;
/** The longest text a list filter takes (a key, an id): longer cannot match and is refused. */
const MAX_FILTER_TEXT = 500;

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

/** Where a query parameter is reported when the caller names no other place: `/query/<name>`. */
export const queryPath = (name: string): string => `/query/${name}`;

/** The page size a caller asked for (default DEFAULT_PAGE); a bad one is added to `errors` at `path`. */
export function pageSize(limit: string | undefined, path: string, errors: FieldError[]): number {
  if (limit === undefined) return DEFAULT_PAGE;
  const size = /^\d{1,4}$/.test(limit) ? Number(limit) : 0;
  if (size < 1 || size > MAX_PAGE) errors.push({ path, message: `must be an integer from 1 to ${MAX_PAGE}` });
  return size;
}

/** Adds an error for each given text filter that is empty or longer than MAX_FILTER_TEXT. */
export function checkFilterTexts(
  values: readonly (readonly [name: string, value: string | undefined])[],
  pathOf: (name: string) => string,
  errors: FieldError[],
): void {
  for (const [name, value] of values) {
    if (value !== undefined && (value.length === 0 || value.length > MAX_FILTER_TEXT))
      errors.push({ path: pathOf(name), message: `must be 1-${MAX_FILTER_TEXT} characters` });
  }
}

/** One page and whether there is another: asks for one item more than the page holds. */
export async function fetchPage<T>(
  limit: number,
  fetch: (limit: number) => Promise<T[]>,
  keyOf: (item: T) => string,
): Promise<Page<T>> {
  const items = await fetch(limit + 1);
  const page = items.slice(0, limit);
  const last = page.at(-1);
  return { items: page, next: items.length > limit && last ? keyOf(last) : null };
}

/** A closed-list filter value (a status, a reason), or undefined with an error at `path`. */
export function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  path: string,
  errors: FieldError[],
): T | undefined {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  errors.push({ path, message: `must be one of ${allowed.join(', ')}` });
  return undefined;
}

/**
 * The optional time range [from, to) of a list filter: each given time RFC 3339, and `from` before `to`;
 * every problem added to `errors` at `pathOf(name)`.
 */
export function filterTimes(
  times: { from?: string; to?: string },
  pathOf: (name: string) => string,
  errors: FieldError[],
): { from?: Date; to?: Date } {
  const range: { from?: Date; to?: Date } = {};
  for (const name of ['from', 'to'] as const) {
    const value = times[name];
    if (value === undefined) continue;
    if (isRfc3339DateTime(value)) range[name] = new Date(value);
    else errors.push({ path: pathOf(name), message: DATE_TIME_MESSAGE });
  }
  if (range.from && range.to && range.from >= range.to)
    errors.push({ path: pathOf('to'), message: 'must be later than from' });
  return range;
}
