import { NetSuiteError } from './netsuite-error.js';

// The SuiteQL a connector needs to read its own postings back, and nothing more:
//   SELECT <columns> FROM <table> [WHERE <condition> [AND ...]] [ORDER BY <column> [ASC | DESC]]
// over two of NetSuite's tables, `transaction` (one row per transaction) and `transactionline` (one row
// per line), where a condition is <col> = <literal>, <col> IN (<literal>, ...), or a date range
//   trandate BETWEEN TO_DATE('YYYY-MM-DD', 'YYYY-MM-DD') AND TO_DATE('YYYY-MM-DD', 'YYYY-MM-DD').
// Hand-written so that every other query is refused with NetSuite's search error instead of being
// answered wrongly; an emulator that accepted more SQL than it understood would hide connector bugs.

/** Each table's columns this subset knows, by SuiteQL's (lower-case) names. */
export const TABLES = {
  transaction: ['id', 'tranid', 'externalid', 'type', 'trandate', 'memo', 'foreigntotal'],
  transactionline: [
    'uniquekey',
    'id',
    'transaction',
    'linesequencenumber',
    'mainline',
    'taxline',
    'item',
    'expenseaccount',
    'foreignamount',
    'debitforeignamount',
    'creditforeignamount',
    'memo',
  ],
} as const;
export type Table = keyof typeof TABLES;
export type Column = (typeof TABLES)[Table][number];

export type Condition =
  | {
      column: Column;
      /** One value for `=`, several for `IN`. */
      values: string[];
    }
  | {
      column: 'trandate';
      /** Inclusive ISO dates (YYYY-MM-DD). */
      between: [from: string, to: string];
    };

export interface SuiteQlQuery {
  table: Table;
  columns: Column[];
  where: Condition[];
  orderBy: { column: Column; descending: boolean } | undefined;
}

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string };

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_.]*)|'((?:[^']|'')*)'|(\d+)|([,()=*]))/y;
const MAX_QUERY_CHARS = 100_000;
const MAX_IN_VALUES = 1000;
const MAX_NUMBER_DIGITS = 18;
// eslint-disable-next-line no-control-regex -- the characters refused are control characters
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function searchError(message: string): NetSuiteError {
  return new NetSuiteError(
    400,
    'INVALID_PARAMETER',
    `Invalid search query. Detailed unprocessed description follows. Search error occurred: ${message}`,
  );
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < query.length) {
    if (/^\s*$/.test(query.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(query);
    if (match === null) throw searchError(`Unsupported text at position ${at}: ${query.slice(at, at + 20)}`);
    if (match[1] !== undefined) tokens.push({ kind: 'word', text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: 'string', text: match[2].replaceAll("''", "'") });
    else if (match[3] !== undefined) {
      // A number past an internal id's 18 digits names nothing and overflows NetSuite's own.
      if (match[3].length > MAX_NUMBER_DIGITS) throw searchError(`The number at position ${at} is too large.`);
      tokens.push({ kind: 'number', text: match[3] });
    } else tokens.push({ kind: 'symbol', text: match[4] ?? '' });
  }
  return tokens;
}

/** The column of `table` a name is, or NetSuite's "field not found" naming the table. */
function columnOf(table: Table, name: string | undefined): Column {
  const column = (TABLES[table] as readonly string[]).find((known) => known === name?.toLowerCase());
  if (column === undefined)
    throw searchError(`Field '${name ?? ''}' for record '${table}' was not found or is not supported here.`);
  return column as Column;
}

class Reader {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  peekWord(word: string): boolean {
    const token = this.tokens[this.at];
    return token?.kind === 'word' && token.text.toLowerCase() === word;
  }

  word(word: string): void {
    if (!this.peekWord(word)) throw searchError(`Expected ${word.toUpperCase()} near token ${this.at + 1}.`);
    this.at += 1;
  }

  symbol(symbol: string): boolean {
    const token = this.tokens[this.at];
    if (token?.kind !== 'symbol' || token.text !== symbol) return false;
    this.at += 1;
    return true;
  }

  /** A name (a column's or a table's), checked by the caller once it knows the table. */
  name(): string | undefined {
    const token = this.tokens[this.at++];
    return token?.kind === 'word' ? token.text : undefined;
  }

  literal(): string {
    const token = this.tokens[this.at++];
    if (token?.kind !== 'string' && token?.kind !== 'number') throw searchError('Expected a quoted text or a number.');
    return token.text;
  }

  done(): boolean {
    return this.at >= this.tokens.length;
  }
}

/** `TO_DATE('2026-10-01', 'YYYY-MM-DD')`: the ISO date, the only format this subset takes. */
function isoDate(reader: Reader): string {
  reader.word('to_date');
  if (!reader.symbol('(')) throw searchError('Expected ( after TO_DATE.');
  const date = reader.literal();
  if (!reader.symbol(',')) throw searchError('Expected the format of TO_DATE.');
  const format = reader.literal();
  if (!reader.symbol(')')) throw searchError('Expected ) to close TO_DATE.');
  if (format !== 'YYYY-MM-DD' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))
    throw searchError(
      `Unsupported date ${date} in format ${format}; this emulator takes TO_DATE('YYYY-MM-DD', 'YYYY-MM-DD').`,
    );
  return date;
}

function condition(reader: Reader, table: Table): Condition {
  const column = columnOf(table, reader.name());
  if (reader.symbol('=')) return { column, values: [reader.literal()] };
  if (reader.peekWord('between')) {
    if (column !== 'trandate') throw searchError('BETWEEN is supported on trandate only.');
    reader.word('between');
    const from = isoDate(reader);
    reader.word('and');
    return { column, between: [from, isoDate(reader)] };
  }
  reader.word('in');
  if (!reader.symbol('(')) throw searchError('Expected ( after IN.');
  const values = [reader.literal()];
  while (reader.symbol(',')) values.push(reader.literal());
  if (!reader.symbol(')')) throw searchError('Expected ) to close IN.');
  if (values.length > MAX_IN_VALUES) throw searchError(`An IN list holds at most ${MAX_IN_VALUES} values.`);
  return { column, values };
}

function tableOf(name: string | undefined): Table {
  const table = Object.keys(TABLES).find((known) => known === name?.toLowerCase());
  if (table === undefined)
    throw searchError(`Record '${name ?? ''}' was not found; this emulator knows transaction and transactionline.`);
  return table as Table;
}

/** The query, or a 400 INVALID_PARAMETER naming what this subset does not support. */
export function parseSuiteQl(query: string): SuiteQlQuery {
  if (query.length > MAX_QUERY_CHARS) throw searchError(`The query is longer than ${MAX_QUERY_CHARS} characters.`);
  // Control characters and lone surrogates are no text a query or its literals can hold.
  if (CONTROL.test(query) || LONE_SURROGATE.test(query))
    throw searchError('The query holds a control character or text that is not Unicode.');
  const reader = new Reader(tokenize(query));
  reader.word('select');
  const names = [reader.name()];
  while (reader.symbol(',')) names.push(reader.name());
  reader.word('from');
  const table = tableOf(reader.name());
  const columns = names.map((name) => columnOf(table, name));
  const where: Condition[] = [];
  if (reader.peekWord('where')) {
    reader.word('where');
    where.push(condition(reader, table));
    while (reader.peekWord('and')) {
      reader.word('and');
      where.push(condition(reader, table));
    }
  }
  let orderBy: SuiteQlQuery['orderBy'];
  if (reader.peekWord('order')) {
    reader.word('order');
    reader.word('by');
    const column = columnOf(table, reader.name());
    const descending = reader.peekWord('desc');
    if (descending) reader.word('desc');
    else if (reader.peekWord('asc')) reader.word('asc');
    orderBy = { column, descending };
  }
  if (!reader.done())
    throw searchError(
      `Unsupported clause after the query; this emulator knows SELECT ... FROM ${table} [WHERE] [ORDER BY].`,
    );
  return { table, columns, where, orderBy };
}
