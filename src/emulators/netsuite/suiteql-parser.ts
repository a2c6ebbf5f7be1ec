import { NetSuiteError } from './netsuite-error.js';

// The SuiteQL a connector needs to find its own postings, and nothing more:
//   SELECT <columns> FROM transaction [WHERE <condition> [AND ...]] [ORDER BY <column> [ASC | DESC]]
// where a condition is <col> = <literal>, <col> IN (<literal>, ...), or a date range
//   trandate BETWEEN TO_DATE('YYYY-MM-DD', 'YYYY-MM-DD') AND TO_DATE('YYYY-MM-DD', 'YYYY-MM-DD').
// Hand-written so that every other query is refused with NetSuite's search error instead of being
// answered wrongly; an emulator that accepted more SQL than it understood would hide connector bugs.

export const COLUMNS = ['id', 'tranid', 'externalid', 'type', 'trandate', 'memo', 'foreigntotal'] as const;
export type Column = (typeof COLUMNS)[number];

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
  columns: Column[];
  where: Condition[];
  orderBy: { column: Column; descending: boolean } | undefined;
}

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string };

const TOKEN = /\s*(?:([A-Za-z_][A-Za-z0-9_.]*)|'((?:[^']|'')*)'|(\d+)|([,()=*]))/y;
const MAX_QUERY_CHARS = 100_000;

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
    else if (match[3] !== undefined) tokens.push({ kind: 'number', text: match[3] });
    else tokens.push({ kind: 'symbol', text: match[4] ?? '' });
  }
  return tokens;
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

  column(): Column {
    const token = this.tokens[this.at++];
    const name = token?.kind === 'word' ? token.text.toLowerCase() : undefined;
    const column = COLUMNS.find((known) => known === name);
    if (column === undefined)
      throw searchError(
        `Field '${token?.text ?? ''}' for record 'transaction' was not found or is not supported here.`,
      );
    return column;
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

function condition(reader: Reader): Condition {
  const column = reader.column();
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
  if (values.length > 1000) throw searchError('An IN list holds at most 1000 values.');
  return { column, values };
}

/** The query, or a 400 INVALID_PARAMETER naming what this subset does not support. */
export function parseSuiteQl(query: string): SuiteQlQuery {
  if (query.length > MAX_QUERY_CHARS) throw searchError(`The query is longer than ${MAX_QUERY_CHARS} characters.`);
  const reader = new Reader(tokenize(query));
  reader.word('select');
  const columns = [reader.column()];
  while (reader.symbol(',')) columns.push(reader.column());
  reader.word('from');
  reader.word('transaction');
  const where: Condition[] = [];
  if (reader.peekWord('where')) {
    reader.word('where');
    where.push(condition(reader));
    while (reader.peekWord('and')) {
      reader.word('and');
      where.push(condition(reader));
    }
  }
  let orderBy: SuiteQlQuery['orderBy'];
  if (reader.peekWord('order')) {
    reader.word('order');
    reader.word('by');
    const column = reader.column();
    const descending = reader.peekWord('desc');
    if (descending) reader.word('desc');
    else if (reader.peekWord('asc')) reader.word('asc');
    orderBy = { column, descending };
  }
  if (!reader.done())
    throw searchError(
      'Unsupported clause after the query; this emulator knows SELECT ... FROM transaction [WHERE] [ORDER BY].',
    );
  return { columns, where, orderBy };
}
