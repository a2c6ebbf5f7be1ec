import { Decimal } from 'decimal.js';
import type { HeldDocument, HeldLine, ListedDocument } from '../connector.js';
import type { HeldJournalLine, JournalBatch } from './oracle-fusion-client.js';
import { externalIdOf } from './oracle-fusion-mapping.js';
import type { OracleFusionSettings } from './oracle-fusion-settings.js';

// What Oracle holds, in the terms reconciliation compares: a journal's lines booked to Meterbridge's
// accounts, and a batch as a listed document. Oracle answers a line's account as the segment combination
// joined by the chart's delimiter (`101.4000.100`); the target's `segments` say which segment is the
// natural account, so the account Meterbridge sent is read back out of that position.

/**
 * The account of a combination: the segment the target's settings take from the account. The delimiter is
 * the chart's, which the settings do not name: the first character that is no letter or digit and splits
 * the combination into as many values as the settings have segments. A combination that cannot be read so
 * (another chart, a value holding the delimiter) is its own place: reconciliation shows it as a difference.
 */
export function accountOf(combination: string, settings: Pick<OracleFusionSettings, 'segments'>): string {
  const position = settings.segments.findIndex((segment) => segment.source === 'account');
  if (settings.segments.length === 1) return combination;
  for (const delimiter of new Set(combination.replace(/[A-Za-z0-9]/g, ''))) {
    const values = combination.split(delimiter);
    if (values.length === settings.segments.length) return values[position] ?? combination;
  }
  return combination;
}

/** The journal as reconciliation reads it: its entered debits, and per line its account and debit less credit. */
export function heldJournal(
  id: string,
  lines: readonly HeldJournalLine[],
  settings: Pick<OracleFusionSettings, 'segments'>,
): HeldDocument {
  const held: HeldLine[] = lines.map((line) => ({
    place: accountOf(line.combination, settings),
    amount: new Decimal(line.debit).minus(line.credit).toFixed(),
  }));
  const total = lines.reduce((sum, line) => sum.plus(line.debit), new Decimal(0));
  return { id, total: total.toFixed(), lines: held };
}

/** A batch as a listed document: its external id from its name, its source as its type. */
export function listedBatch(batch: JournalBatch): ListedDocument {
  return {
    id: batch.id,
    externalId: externalIdOf(batch.name),
    type: batch.source ?? 'Journal',
    ...(batch.total === undefined ? {} : { total: batch.total }),
  };
}
