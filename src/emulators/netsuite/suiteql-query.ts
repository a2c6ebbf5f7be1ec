import { invalidContent, NetSuiteError } from './netsuite-error.js';
import { isObject, type JsonObject } from './record-fields.js';
import { SUITEQL_TYPE, type RecordStore, type StoredRecord } from './record-store.js';
import { parseSuiteQl, type Column, type Condition } from './suiteql-parser.js';

// `POST query/v1/suiteql?limit=&offset=`: runs the parsed subset over the store and pages the rows
// NetSuite's way (at most 1000 a page; `hasMore`, `totalResults` and a `next` link). SuiteQL answers
// every value as text and leaves out empty columns; dates come in the account's format (M/D/YYYY here).

const MAX_PAGE = 1000;
const MAX_ROWS = 100_000;

function usDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${Number(month)}/${Number(day)}/${year}`;
}

function valueOf(record: StoredRecord, column: Column): string | undefined {
  const { fields, total } = record.input;
  switch (column) {
    case 'id':
      return record.id;
    case 'tranid':
      return record.tranId;
    case 'externalid':
      return record.externalId;
    case 'type':
      return SUITEQL_TYPE[record.type];
    case 'trandate':
      return typeof fields.tranDate === 'string' ? usDate(fields.tranDate) : undefined;
    case 'memo':
      return typeof fields.memo === 'string' ? fields.memo : undefined;
    case 'foreigntotal':
      return total.toString();
  }
}

/** Whether a record meets a condition: a value listed, or a transaction date in the range. */
function holds(record: StoredRecord, condition: Condition): boolean {
  if ('between' in condition) {
    const date = record.input.fields.tranDate;
    return typeof date === 'string' && date >= condition.between[0] && date <= condition.between[1];
  }
  return condition.values.includes(valueOf(record, condition.column) ?? '\u0000');
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
  let rows = store.all().filter((record) => query.where.every((condition) => holds(record, condition)));
  if (query.orderBy) {
    const { column, descending } = query.orderBy;
    const numeric = column === 'id' || column === 'foreigntotal';
    rows = rows.sort((a, b) => {
      const [x, y] = [valueOf(a, column) ?? '', valueOf(b, column) ?? ''];
      const order = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
      return descending ? -order : order;
    });
  }
  rows = rows.slice(0, MAX_ROWS);
  const page = rows.slice(offset, offset + limit);
  const items = page.map((record) => {
    const item: JsonObject = { links: [] };
    for (const column of query.columns) {
      const value = valueOf(record, column);
      if (value !== undefined) item[column] = value;
    }
    return item;
  });
  const hasMore = offset + page.length < rows.length;
  const self = new URL(url);
  const links = [{ rel: 'self', href: self.href }];
  if (hasMore) {
    const next = new URL(url);
    next.searchParams.set('limit', String(limit));
    next.searchParams.set('offset', String(offset + limit));
    links.push({ rel: 'next', href: next.href });
  }
  return { links, count: items.length, hasMore, items, offset, totalResults: rows.length };
}
