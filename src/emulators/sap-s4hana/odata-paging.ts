// Server-driven paging of the item cube, as SAP Gateway does it for a service with a page size: an answer
// holds at most `maxPageRows` rows of what the query selects (after $skip and $top), and the rest is
// reached through a next link, `__next` in JSON and `<link rel="next">` in Atom, that repeats the query
// with a `$skiptoken`. The token is opaque to a client; here it is the count of rows already answered.

export class SkipTokenError extends Error {
  constructor(token: string) {
    super(`Invalid $skiptoken '${token}'`);
    this.name = 'SkipTokenError';
  }
}

export interface Page<T> {
  rows: T[];
  /** The next link's `$skiptoken`, when rows are left. */
  next?: number;
}

/** The rows already answered, from `$skiptoken` (0 without one); SkipTokenError for anything but a count. */
export function skipTokenOf(query: URLSearchParams): number {
  const token = query.get('$skiptoken');
  if (token === null) return 0;
  if (!/^\d{1,9}$/.test(token)) throw new SkipTokenError(token);
  return Number(token);
}

/** The page of `selected` starting after `answered` rows; all of it when there is no page size. */
export function pageOf<T>(selected: readonly T[], answered: number, maxPageRows: number | undefined): Page<T> {
  const end = maxPageRows === undefined ? selected.length : answered + maxPageRows;
  const rows = selected.slice(answered, end);
  return end < selected.length ? { rows, next: end } : { rows };
}

/** The request's own URL, its options as the client wrote them, with `$skiptoken` set to `next`. */
export function nextLink(url: URL, next: number): string {
  const options = url.search
    .slice(1)
    .split('&')
    .filter((option) => option !== '' && !/^(\$|%24)skiptoken=/i.test(option));
  return `${url.origin}${url.pathname}?${[...options, `$skiptoken=${next}`].join('&')}`;
}
