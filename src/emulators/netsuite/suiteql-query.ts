import { invalidContent, NetSuiteError } from './netsuite-error.js';
import { isObject, type JsonObject } from './record-fields.js';
import type { RecordStore } from './record-store.js';
import { parseSuiteQl, type Column, type Condition } from './suiteql-parser.js';
import { tableRows, type SuiteQlRow } from './suiteql-tables.js';

// `POST query/v1/suiteql?limit=&offset=`: runs the parsed subset over the store's rows
// (suiteql-tables.ts) and pages them NetSuite's way (at most 1000 a page; `hasMore`, `totalResults`
// and a `next` link). SuiteQL answers every value as text and leaves out empty columns; dates come in
// the account's format (M/D/YYYY here).

const MAX_PAGE = 1000;
const MAX_ROWS = 100_000;
/** Columns compared as numbers in ORDER BY. */
const NUMERIC: ReadonlySet<Column> = new Set<Column>([
  'id',
  'foreigntotal',
  'uniquekey',
  'transaction',
  'linesequencenumber',
  'foreignamount',
  'debitforeignamount',
  'creditforeignamount',
]);

/** Whether a row meets a condition: a value listed, or a transaction date in the range. */
function holds(row: SuiteQlRow, condition: Condition): boolean {
  if ('between' in condition) {
    const date = row.tranDate;
    return date !== undefined && date >= condition.between[0] && date <= condition.between[1];
  }
  return condition.values.includes(row.value(condition.column) ?? '\u0000');
}

function pageParameter(url: URL, name: string, fallback: number, max: number): number {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(value >= (name === 'limit' ? 1 : 0) && value <= max))
    throw new NetSuiteError(400, 'INVALID_PARAMETER', `The value of the query parameter ${name} is invalid: ${text}.`);
  return value;
}

export function runSuiteQl(store: RecordStore, body: unknown, url: URL): JsonObject {
  if (!isObject(body) || typeof body.q !== 'string')
    throw invalidContent('The body must be {"q": "<SuiteQL query>"}.', 'q');
  for (const key of Object.keys(body)) if (key !== 'q') throw invalidContent(`Invalid field name ${key}.`, key);
  const limit = pageParameter(url, 'limit', MAX_PAGE, MAX_PAGE);
  const offset = pageParameter(url, 'offset', 0, MAX_ROWS);
  const query = parseSuiteQl(body.q);
  let rows = tableRows(store, query.table, query.where).filter((row) =>
    query.where.every((condition) => holds(row, condition)),
  );
  if (query.orderBy) {
    const { column, descending } = query.orderBy;
    const numeric = NUMERIC.has(column);
    rows = rows.sort((a, b) => {
      const [x, y] = [a.value(column) ?? '', b.value(column) ?? ''];
      const order = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
  }
  rows = rows.slice(0, MAX_ROWS);
  const page = rows.slice(offset, offset + limit);
  const items = page.map((row) => {
    const item: JsonObject = { links: [] };
    for (const column of query.columns) {
      const value = row.value(column);
      if (value !== undefined) item[column] = value;
    }
    return item;
  });
  const hasMore = offset + page.length < rows.length;
  const links = [{ rel: 'self', href: new URL(url).href }];
  if (hasMore) {
    const next = new URL(url);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('offset', String(offset + limit));
    links.push({ rel: 'next', href: next.href });
  }
  return { links, count: items.length, hasMore, items, offset, totalResults: rows.length };
}
