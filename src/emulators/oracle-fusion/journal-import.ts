import { Decimal } from 'decimal.js';
import { minorUnitDigits } from '../../platform/iso-4217.js';
import type { OracleLedger } from './emulator-options.js';
import type { InterfaceRow } from './gl-interface-file.js';

// The import half: Journal Import for one ledger, source and group, as the job's parameters name them.
// It takes the file's rows of that ledger, source and group (others stay in the interface), checks each
// against the ledger (currency, account combination, open period, category) and each journal's balance,
// and imports all or nothing: one rejected row rejects the group, as Journal Import does without suspense
// posting. With suspense posting (the fifth parameter Y) and a ledger that has a suspense combination, an
// invalid account or an unbalanced journal goes to suspense instead, and the job ends in WARNING. Each
// condition carries the code Oracle's list of Journal Import codes gives it (EC08, EM01, EP01, EF04, EU02,
// WF02, WU01); two conditions Oracle lists no code for borrow the nearest one (a PERIOD_NAME that does not
// contain the date: EP01; an amount with more decimals than its currency: EC13). The wording is ours.

export interface ImportParameters {
  dataAccessSetId: string;
  source: string;
  ledgerId: string;
  groupId: string;
  suspense: boolean;
}

export interface PodDefinitions {
  ledgers: readonly OracleLedger[];
  sources: readonly string[];
  categories: readonly string[];
}

export interface ImportedLine {
  number: number;
  combination: string;
  enteredDr: string;
  enteredCr: string;
  description: string;
}

export interface ImportedJournal {
  name: string;
  description: string;
  reference: string;
  currency: string;
  category: string;
  accountingDate: string;
  periodName: string;
  lines: ImportedLine[];
}

export interface ImportedBatch {
  name: string;
  description: string;
  journals: ImportedJournal[];
}

/** A loaded row Journal Import did not import: rejected (with its code) or not its to take. */
export interface LeftRow {
  row: InterfaceRow;
  /** The error code, or NEW for a row of another ledger, source or group. */
  status: string;
  message?: string;
}

export interface ImportOutcome {
  status: 'SUCCEEDED' | 'WARNING' | 'ERROR';
  log: string[];
  batches: ImportedBatch[];
  left: LeftRow[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The calendar's period name of a date: Oct-26. */
export const periodOf = (date: string) => `${MONTHS[Number(date.slice(5, 7)) - 1]}-${date.slice(2, 4)}`;

/** `#NULL,Meterbridge,300000046975971,123,N,N,N`, or why it is not Journal Import's parameters. */
export function readParameters(list: string): ImportParameters | string {
  const values = list.split(',').map((value) => value.trim());
  if (values.length !== 7)
    return `The parameter list has ${values.length} values; Journal Import takes 7: data access set, source, ledger, group ID, post errors to suspense, create summary journals, import descriptive flexfields.`;
  const [dataAccessSetId = '', source = '', ledgerId = '', groupId = '', suspense = ''] = values;
  if (!/^\d{1,18}$/.test(groupId)) return `The group ID "${groupId}" is not a number.`;
  if (!['Y', 'N'].includes(suspense)) return `Post errors to suspense must be Y or N, not "${suspense}".`;
  return { dataAccessSetId, source, ledgerId, groupId, suspense: suspense === 'Y' };
}

/** Why the job cannot run for these parameters at all, or undefined. */
function parameterProblem(parameters: ImportParameters, pod: PodDefinitions): string | undefined {
  const ledger = pod.ledgers.find((candidate) => candidate.id === parameters.ledgerId);
  if (!ledger) return `The ledger ${parameters.ledgerId} doesn't exist.`;
  if (parameters.dataAccessSetId !== '#NULL' && !ledger.dataAccessSets.includes(parameters.dataAccessSetId))
    return `The data access set ${parameters.dataAccessSetId} doesn't exist or doesn't grant access to the ledger ${ledger.name} (${ledger.id}).`;
  if (!pod.sources.includes(parameters.source)) return `The journal source ${parameters.source} isn't defined.`;
  return undefined;
}

const journalKey = (row: InterfaceRow) =>
  [row.batchName, row.journalName, row.currency, row.accountingDate, row.category].join('\u0000');

export function runJournalImport(
  requestId: string,
  parameters: ImportParameters,
  rows: readonly InterfaceRow[],
  pod: PodDefinitions,
): ImportOutcome {
  const log = [
    `Journal Import (request ${requestId}) for source ${parameters.source}, ledger ${parameters.ledgerId}, group ID ${parameters.groupId}.`,
  ];
  const problem = parameterProblem(parameters, pod);
  if (problem)
    return { status: 'ERROR', log: [...log, problem], batches: [], left: rows.map((row) => ({ row, status: 'NEW' })) };
  const ledger = pod.ledgers.find((candidate) => candidate.id === parameters.ledgerId)!;
  const selected = rows.filter(
    (row) => row.ledgerId === ledger.id && row.source === parameters.source && row.groupId === parameters.groupId,
  );
  const left: LeftRow[] = rows.filter((row) => !selected.includes(row)).map((row) => ({ row, status: 'NEW' }));
  if (left.length > 0)
    log.push(`${left.length} rows of other ledgers, sources or groups were left in the interface table.`);
  if (selected.length === 0)
    return {
      status: 'WARNING',
      log: [...log, 'Journal Import found no rows to import for these parameters.'],
      batches: [],
      left,
    };

  const width = (ledger.combinations[0] ?? '').split('.').length;
  const combinations = new Set(ledger.combinations);
  const suspense = parameters.suspense ? ledger.suspense : undefined;
  const errors: LeftRow[] = [];
  const warnings: string[] = [];
  const combinationOf = new Map<InterfaceRow, string>();
  const reject = (row: InterfaceRow, status: string, message: string) => errors.push({ row, status, message });

  for (const row of selected) {
    const precision = minorUnitDigits(row.currency) ?? 2;
    if (!ledger.currencies.includes(row.currency))
      reject(row, 'EC08', `The currency ${row.currency} isn't enabled for the ledger ${ledger.name}.`);
    if (!pod.categories.includes(row.category))
      reject(row, 'EM01', `The journal category ${row.category} isn't defined.`);
    if (ledger.closedPeriods.includes(row.accountingDate.slice(0, 7)))
      reject(row, 'EP01', `The accounting date ${row.accountingDate} isn't in an open or future-enterable period.`);
    if (row.periodName !== '' && row.periodName !== periodOf(row.accountingDate))
      reject(row, 'EP01', `The period ${row.periodName} doesn't contain the accounting date ${row.accountingDate}.`);
    for (const amount of [row.enteredDr, row.enteredCr])
      if (amount !== '' && new Decimal(amount).decimalPlaces() > precision)
        reject(row, 'EC13', `The amount ${amount} has more decimal places than ${row.currency} allows (${precision}).`);
    const used = row.segments.slice(0, width);
    const combination = used.join('.');
    const extra = row.segments.slice(width).some((value) => value !== '');
    if (!extra && combinations.has(combination)) combinationOf.set(row, combination);
    else if (suspense) {
      combinationOf.set(row, suspense);
      warnings.push(
        `Row ${row.row}: WF02 The account ${combination} isn't valid; the line was posted to suspense ${suspense}.`,
      );
    } else
      reject(
        row,
        'EF04',
        `The account ${row.segments.filter(Boolean).join('.')} isn't a valid combination for the chart of accounts of the ledger ${ledger.name}.`,
      );
  }

  const journals = new Map<string, InterfaceRow[]>();
  for (const row of selected) journals.set(journalKey(row), [...(journals.get(journalKey(row)) ?? []), row]);
  const suspenseLines = new Map<string, Decimal>();
  for (const [key, journalRows] of journals) {
    const net = journalRows.reduce(
      (sum, row) => sum.plus(row.enteredDr || 0).minus(row.enteredCr || 0),
      new Decimal(0),
    );
    if (net.isZero()) continue;
    const name = journalRows[0]?.journalName || '(unnamed)';
    if (suspense) {
      suspenseLines.set(key, net);
      warnings.push(
        `WU01 The journal ${name} is unbalanced by ${net.toFixed()}; the difference was posted to suspense ${suspense}.`,
      );
    } else
      for (const row of journalRows)
        reject(
          row,
          'EU02',
          `The journal ${name} is unbalanced (debits less credits ${net.toFixed()}) and suspense posting isn't allowed.`,
        );
  }

  if (errors.length > 0) {
    const rejected = new Set(errors.map((error) => error.row));
    return {
      status: 'ERROR',
      log: [
        ...log,
        `Journal Import rejected ${rejected.size} of ${selected.length} rows; no journal was created.`,
        ...errors.map((error) => `Row ${error.row.row}: ${error.status} ${error.message}`),
      ],
      batches: [],
      left: [...left, ...errors],
    };
  }

  const batches = new Map<string, ImportedBatch>();
  for (const [key, journalRows] of journals) {
    const first = journalRows[0]!;
    const batchName = first.batchName || `${parameters.source} ${requestId}: A ${parameters.groupId}`;
    const batch = batches.get(batchName) ?? { name: batchName, description: first.batchDescription, journals: [] };
    batches.set(batchName, batch);
    const lines = journalRows.map((row, index) => ({
      number: index + 1,
      combination: combinationOf.get(row) ?? '',
      enteredDr: row.enteredDr,
      enteredCr: row.enteredCr,
      description: row.lineDescription,
    }));
    const difference = suspenseLines.get(key);
    if (difference && suspense)
      lines.push({
        number: lines.length + 1,
        combination: suspense,
        enteredDr: difference.isNegative() ? difference.negated().toFixed() : '',
        enteredCr: difference.isNegative() ? '' : difference.toFixed(),
        description: 'Suspense',
      });
    batch.journals.push({
      name: first.journalName || `${first.category} ${first.currency}`,
      description: first.journalDescription,
      reference: first.journalReference,
      currency: first.currency,
      category: first.category,
      accountingDate: first.accountingDate,
      periodName: periodOf(first.accountingDate),
      lines,
    });
  }
  const created = [...batches.values()];
  return {
    status: warnings.length > 0 ? 'WARNING' : 'SUCCEEDED',
    log: [
      ...log,
      ...warnings,
      `Journal Import created ${created.length} batch(es): ${created.map((batch) => batch.name).join(', ')}; ${selected.length} rows imported.`,
    ],
    batches: created,
    left,
  };
}
