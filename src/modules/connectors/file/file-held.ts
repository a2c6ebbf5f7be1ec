import { Decimal } from 'decimal.js';
import type { HeldLine } from '../connector.js';
import { unreadable, type ExportRow } from './file-rows.js';

// An export file's rows as the documents they hold. One document occurrence is a run of rows under one
// external id whose line numbers rise (1, 2, 3): the same document written into the file twice, by
// hand or by another program, is two occurrences, even back to back. Each has its date, its type, its
// total (a journal's debits, a document's total, positive) and its lines in the terms reconciliation
// compares (sent-figures.ts): a journal line's account and debit less credit, a document line's item
// and amount. A row without a line (a posting without lines) holds none.

export type FileKind = 'journals' | 'invoices';

export interface HeldOccurrence {
  externalId: string;
  /** `journal`, or the row's documentType (`invoice`, `credit_memo`). */
  type: string;
  /** postingDate or documentDate, YYYY-MM-DD. */
  date: string;
  /** The line of the file its first row is on. */
  line: number;
  total: string;
  lines: HeldLine[];
}

const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,100}$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DECIMAL = /^-?\d{1,30}(\.\d{1,12})?$/;
const LINE_NO = /^[1-9]\d{0,8}$/;
const DOCUMENT_TYPES = new Set(['invoice', 'credit_memo']);

/** The fields one row must hold to be read back, checked; anything else names the file and line. */
function readRow(kind: FileKind, row: ExportRow, path: string) {
  const fail = (why: string) => unreadable(path, row.line, why);
  const field = (name: string) => row.fields[name] ?? null;
  const required = (name: string): Decimal => {
    const value = field(name);
    if (value === null || !DECIMAL.test(value)) throw fail(`${name} ${JSON.stringify(value)} is not a decimal`);
    return new Decimal(value);
  };
  /** A line's amount: required on a row with a line, and nothing on a row without. */
  const decimal = (name: string, withLine: boolean) => (withLine || field(name) !== null ? required(name) : undefined);
  const externalId = field('externalId');
  if (externalId === null || !EXTERNAL_ID.test(externalId))
    throw fail(`externalId ${JSON.stringify(externalId)} is not one this export writes`);
  const date = field(kind === 'journals' ? 'postingDate' : 'documentDate');
  if (date === null || !DATE.test(date)) throw fail(`the date ${JSON.stringify(date)} is not YYYY-MM-DD`);
  const type = kind === 'journals' ? 'journal' : (field('documentType') ?? '');
  if (!DOCUMENT_TYPES.has(type) && type !== 'journal') throw fail(`documentType ${JSON.stringify(type)} is unknown`);
  const lineNo = field('lineNo');
  if (lineNo !== null && !LINE_NO.test(lineNo)) throw fail(`lineNo ${JSON.stringify(lineNo)} is not a line number`);
  const withLine = lineNo !== null;
  const place = field(kind === 'journals' ? 'account' : 'item');
  if (withLine && place === null) throw fail(`line ${lineNo} has no ${kind === 'journals' ? 'account' : 'item'}`);
  if (kind === 'journals') {
    const [debit, credit] = [decimal('debit', withLine), decimal('credit', withLine)];
    const net = debit?.minus(credit ?? 0);
    return { externalId, date, type, lineNo, line: net && place !== null ? { place, net } : undefined, debit };
  }
  const amount = decimal('amount', withLine);
  const total = required('total');
  return { externalId, date, type, lineNo, line: amount && place !== null ? { place, net: amount } : undefined, total };
}

/** The document occurrences of one file's rows, in file order. */
export function occurrencesOf(kind: FileKind, rows: readonly ExportRow[], path: string): HeldOccurrence[] {
  const found: Array<Omit<HeldOccurrence, 'total'> & { lastLineNo: number; sum: Decimal }> = [];
  for (const row of rows) {
    const read = readRow(kind, row, path);
    const lineNo = read.lineNo === null ? 0 : Number(read.lineNo);
    const current = found.at(-1);
    const continues = current !== undefined && current.externalId === read.externalId && lineNo > current.lastLineNo;
    const occurrence = continues
      ? current
      : {
          externalId: read.externalId,
          type: read.type,
          date: read.date,
          line: row.line,
          lines: [],
          lastLineNo: 0,
          sum: new Decimal(0),
        };
    if (!continues) found.push(occurrence);
    occurrence.lastLineNo = lineNo;
    if (read.line) occurrence.lines.push({ place: read.line.place, amount: read.line.net.toFixed() });
    // A journal's total is its debits; a document's is on every row (the first row's is taken).
    if ('debit' in read) occurrence.sum = occurrence.sum.plus(read.debit ?? 0);
    else if (!continues) occurrence.sum = read.total.abs();
  }
  return found.map(({ externalId, type, date, line, lines, sum }) => ({
    externalId,
    type,
    date,
    line,
    total: sum.toFixed(),
    lines,
  }));
}
