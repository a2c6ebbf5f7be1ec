import { Decimal } from 'decimal.js';
import { OracleError } from './oracle-error.js';
import type { ImportedJournal } from './journal-import.js';
import type { StoredBatch } from './pod-store.js';

// journalBatches' child resources, read only: a batch's journals and a journal's lines.
//   GET journalBatches/<JeBatchId>/child/journalHeaders[/<journalHeadersUniqID>]
//   GET journalBatches/<JeBatchId>/child/journalHeaders/<journalHeadersUniqID>/child/journalLines[/<journalLinesUniqID>]
// Oracle identifies a journal and a line by a hash key the client must not build: it reads it from the
// item's `self` link. Here the keys are opaque hex text of the batch id and the journal's or line's number.

const encode = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

export const journalKey = (batch: StoredBatch, number: number) => encode(`JE:${batch.id}:${number}`);
export const lineKey = (batch: StoredBatch, journalNumber: number, lineNumber: number) =>
  encode(`JL:${batch.id}:${journalNumber}:${lineNumber}`);

/** Amounts as Oracle's JSON gives them: numbers, null for an empty side. */
const amount = (text: string): number | null => (text === '' ? null : new Decimal(text).toNumber());

function journalTotals(journal: ImportedJournal): { debit: number; credit: number } {
  let debit = new Decimal(0);
  let credit = new Decimal(0);
  for (const line of journal.lines) {
    debit = debit.plus(line.enteredDr || 0);
    credit = credit.plus(line.enteredCr || 0);
  }
  return { debit: debit.toNumber(), credit: credit.toNumber() };
}

export interface ChildPath {
  /** The journal's key, when the path names one. */
  journal?: string;
  /** true when the path goes on to the journal's lines. */
  lines: boolean;
  /** The line's key, when the path names one. */
  line?: string;
}

/** Reads the rest of a path after `journalBatches/<id>/child/`; undefined when it is no child resource here. */
export function readChildPath(rest: readonly string[]): ChildPath | undefined {
  const [headers, journal, child, lines, line, ...more] = rest;
  if (headers !== 'journalHeaders' || more.length > 0) return undefined;
  if (journal === undefined) return { lines: false };
  if (child === undefined) return { journal, lines: false };
  if (child !== 'child' || lines !== 'journalLines') return undefined;
  return { journal, lines: true, ...(line === undefined ? {} : { line }) };
}

/** One journal of the batch as the journalHeaders child answers it. */
export function headerItem(batch: StoredBatch, index: number, self: string): Record<string, unknown> {
  const journal = batch.journals[index]!;
  const totals = journalTotals(journal);
  return {
    JournalName: journal.name,
    JournalDescription: journal.description || null,
    CurrencyCode: journal.currency,
    PeriodName: journal.periodName,
    DefaultEffectiveDate: journal.accountingDate,
    UserJeCategoryName: journal.category,
    UserJeSourceName: batch.source,
    RunningTotalDr: totals.debit,
    RunningTotalCr: totals.credit,
    ExternalReference: journal.reference || null,
    links: [{ rel: 'self', href: self, name: 'journalHeaders', kind: 'item' }],
  };
}

/** One line of a journal as the journalLines child answers it. */
export function lineItem(batch: StoredBatch, index: number, lineIndex: number, self: string): Record<string, unknown> {
  const journal = batch.journals[index]!;
  const line = journal.lines[lineIndex]!;
  return {
    JeLineNumber: line.number,
    AccountCombination: line.combination,
    CurrencyCode: journal.currency,
    EnteredDr: amount(line.enteredDr),
    EnteredCr: amount(line.enteredCr),
    Description: line.description || null,
    links: [{ rel: 'self', href: self, name: 'journalLines', kind: 'item' }],
  };
}

/** The journal a key names (its index), or Oracle's 404. */
export function journalIndex(batch: StoredBatch, key: string): number {
  const index = batch.journals.findIndex((_, candidate) => journalKey(batch, candidate + 1) === key);
  if (index < 0)
    throw new OracleError(404, '27024', `The journal ${key.slice(0, 80)} doesn't exist in the batch ${batch.id}.`);
  return index;
}

/** The line a key names (its index in the journal), or Oracle's 404. */
export function lineIndex(batch: StoredBatch, index: number, key: string): number {
  const found = batch.journals[index]!.lines.findIndex((line) => lineKey(batch, index + 1, line.number) === key);
  if (found < 0) throw new OracleError(404, '27024', `The journal line ${key.slice(0, 80)} doesn't exist.`);
  return found;
}
