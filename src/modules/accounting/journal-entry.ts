import type { JournalEntry, JournalLine } from '../connectors/index.js';
import { Exact } from '../../platform/money.js';
import { UnbalancedEntryError } from './accounting.js';

/** A summarized line's place: the same account, dimensions and side are one line of the entry. */
const placeOf = (line: JournalLine) =>
  JSON.stringify([line.account, Object.entries(line.dimensions).sort(), line.debit !== '0' ? 'D' : 'C']);

/**
 * Adds document lines to a journal entry (or starts one): lines of the same account, dimensions and side
 * are summed into one, keeping every reference to the invoice lines they summarize. Debits must equal
 * credits exactly, or UnbalancedEntryError names both sums and nothing is stored.
 */
export function summarizeInto(
  entry: Omit<JournalEntry, 'lines' | 'type'> & { lines?: JournalLine[] },
  additions: readonly JournalLine[],
): JournalEntry {
  const merged = new Map<string, JournalLine>();
  for (const line of [...(entry.lines ?? []), ...additions]) {
    const place = placeOf(line);
    const known = merged.get(place);
    merged.set(
      place,
      known
        ? {
            ...known,
            debit: new Exact(known.debit).plus(line.debit).toFixed(),
            credit: new Exact(known.credit).plus(line.credit).toFixed(),
            memo:
              known.memo === line.memo
                ? known.memo
                : `${known.references.length + line.references.length} document lines`,
            references: [...known.references, ...line.references],
          }
        : { ...line, references: [...line.references] },
    );
  }
  const result: JournalEntry = { ...entry, type: 'journal', lines: [...merged.values()] };
  assertBalanced(result);
  return result;
}

export function assertBalanced(entry: JournalEntry): void {
  const debits = entry.lines.reduce((sum, line) => sum.plus(line.debit), new Exact(0));
  const credits = entry.lines.reduce((sum, line) => sum.plus(line.credit), new Exact(0));
  if (!debits.equals(credits)) throw new UnbalancedEntryError(entry.externalId, debits.toFixed(), credits.toFixed());
}
