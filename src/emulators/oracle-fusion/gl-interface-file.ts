import { parse } from 'csv-parse/sync';
import { unzipSync } from 'fflate';
import { decodeUtf8 } from '../../platform/utf8.js';

// The load half of an FBDI import: the zip unpacked, GlInterface.csv read by position (headerless), and
// each row checked as the load's control file would (a value of the wrong form in its column, a row of
// more columns than the file has). Only the columns the emulator reads are named; their positions are
// checked against the vendor's column list by gl-interface-layout.test.ts. Any problem rejects the file
// whole: the job ends in ERROR with every problem in its log, and nothing is imported.

/** GlInterface.csv's width: its 149 columns. */
export const COLUMN_COUNT = 149;

/** 1-based positions of the columns the emulator reads. */
export const POSITIONS = {
  STATUS: 1,
  LEDGER_ID: 2,
  ACCOUNTING_DATE: 3,
  USER_JE_SOURCE_NAME: 4,
  USER_JE_CATEGORY_NAME: 5,
  CURRENCY_CODE: 6,
  DATE_CREATED: 7,
  ACTUAL_FLAG: 8,
  SEGMENT1: 9,
  ENTERED_DR: 39,
  ENTERED_CR: 40,
  ACCOUNTED_DR: 41,
  ACCOUNTED_CR: 42,
  REFERENCE1: 43,
  REFERENCE2: 44,
  REFERENCE4: 46,
  REFERENCE5: 47,
  REFERENCE6: 48,
  REFERENCE10: 52,
  GROUP_ID: 67,
  PERIOD_NAME: 95,
} as const;
export const SEGMENT_COUNT = 30;

export interface InterfaceRow {
  /** 1-based line of the file. */
  row: number;
  ledgerId: string;
  /** YYYY-MM-DD. */
  accountingDate: string;
  source: string;
  category: string;
  currency: string;
  segments: string[];
  enteredDr: string;
  enteredCr: string;
  batchName: string;
  batchDescription: string;
  journalName: string;
  journalDescription: string;
  journalReference: string;
  lineDescription: string;
  groupId: string;
  periodName: string;
}

export type LoadResult = { rows: InterfaceRow[] } | { problems: string[] };

const DATE = /^(\d{4})\/(\d{2})\/(\d{2})$/;
const NUMBER = /^-?\d{1,15}(\.\d{1,15})?$/;
/** The lengths of the columns read: what a longer value would not fit. */
const LENGTHS: Partial<Record<keyof typeof POSITIONS, number>> = {
  USER_JE_SOURCE_NAME: 25,
  USER_JE_CATEGORY_NAME: 25,
  CURRENCY_CODE: 15,
  REFERENCE1: 100,
  REFERENCE4: 100,
  REFERENCE2: 240,
  REFERENCE5: 240,
  REFERENCE6: 240,
  REFERENCE10: 240,
  PERIOD_NAME: 15,
};

function isoDate(text: string): string | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? undefined : iso;
}

/** The CSV file of an FBDI zip, or the reason there is none. */
export function unpack(zipBytes: Uint8Array): { csv: string } | { problem: string } {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zipBytes);
  } catch (error) {
    return { problem: `The file could not be unzipped: ${error instanceof Error ? error.message : String(error)}.` };
  }
  const name = Object.keys(files).find((file) => file.toLowerCase() === 'glinterface.csv');
  if (name === undefined)
    return { problem: `The zip holds no GlInterface.csv (it holds ${Object.keys(files).join(', ') || 'nothing'}).` };
  const text = decodeUtf8(files[name] ?? new Uint8Array());
  if (text === undefined) return { problem: 'GlInterface.csv is not valid UTF-8 text.' };
  return { csv: text };
}

/** Every row of GlInterface.csv, or every problem found (then none is loaded). */
export function loadRows(csv: string): LoadResult {
  let records: string[][];
  try {
    records = parse(csv, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
  } catch (error) {
    return {
      problems: [`GlInterface.csv is not valid CSV: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  if (records.length === 0) return { problems: ['GlInterface.csv holds no rows.'] };
  const problems: string[] = [];
  const rows = records.map((record, index) => {
    const row = index + 1;
    const at = (name: keyof typeof POSITIONS) => record[POSITIONS[name] - 1]?.trim() ?? '';
    const problem = (name: keyof typeof POSITIONS, what: string) =>
      problems.push(`Row ${row}, column ${POSITIONS[name]} (${name}): ${what}`);
    if (record.length > COLUMN_COUNT)
      problems.push(`Row ${row} has ${record.length} columns; GlInterface.csv has ${COLUMN_COUNT}.`);
    if (at('STATUS') !== 'NEW') problem('STATUS', `"${at('STATUS')}" is not NEW.`);
    if (!/^\d{1,18}$/.test(at('LEDGER_ID'))) problem('LEDGER_ID', `"${at('LEDGER_ID')}" is not a ledger ID.`);
    const accountingDate = isoDate(at('ACCOUNTING_DATE'));
    if (!accountingDate)
      problem('ACCOUNTING_DATE', `"${at('ACCOUNTING_DATE')}" is not a date in the YYYY/MM/DD format.`);
    if (!isoDate(at('DATE_CREATED')))
      problem('DATE_CREATED', `"${at('DATE_CREATED')}" is not a date in the YYYY/MM/DD format.`);
    if (!['A', 'B', 'E'].includes(at('ACTUAL_FLAG')))
      problem('ACTUAL_FLAG', `"${at('ACTUAL_FLAG')}" is not A, B or E.`);
    if (!/^[A-Z]{3}$/.test(at('CURRENCY_CODE')))
      problem('CURRENCY_CODE', `"${at('CURRENCY_CODE')}" is not a currency code.`);
    for (const name of ['ENTERED_DR', 'ENTERED_CR', 'ACCOUNTED_DR', 'ACCOUNTED_CR'] as const)
      if (at(name) !== '' && !NUMBER.test(at(name))) problem(name, `"${at(name)}" is not a number.`);
    if (at('ENTERED_DR') === '' && at('ENTERED_CR') === '')
      problem('ENTERED_DR', 'the row has neither an entered debit nor an entered credit.');
    if (!/^\d{1,18}$/.test(at('GROUP_ID'))) problem('GROUP_ID', `"${at('GROUP_ID')}" is not a group ID.`);
    for (const [name, length] of Object.entries(LENGTHS) as Array<[keyof typeof POSITIONS, number]>)
      if (at(name).length > length) problem(name, `the value is longer than ${length} characters.`);
    const segments = Array.from(
      { length: SEGMENT_COUNT },
      (_, segment) => record[POSITIONS.SEGMENT1 - 1 + segment]?.trim() ?? '',
    );
    segments.forEach((value, segment) => {
      if (value.length > 25)
        problems.push(
          `Row ${row}, column ${POSITIONS.SEGMENT1 + segment} (SEGMENT${segment + 1}): the value is longer than 25 characters.`,
        );
    });
    return {
      row,
      ledgerId: at('LEDGER_ID'),
      accountingDate: accountingDate ?? '',
      source: at('USER_JE_SOURCE_NAME'),
      category: at('USER_JE_CATEGORY_NAME'),
      currency: at('CURRENCY_CODE'),
      segments,
      enteredDr: at('ENTERED_DR'),
      enteredCr: at('ENTERED_CR'),
      batchName: at('REFERENCE1'),
      batchDescription: at('REFERENCE2'),
      journalName: at('REFERENCE4'),
      journalDescription: at('REFERENCE5'),
      journalReference: at('REFERENCE6'),
      lineDescription: at('REFERENCE10'),
      groupId: at('GROUP_ID'),
      periodName: at('PERIOD_NAME'),
    };
  });
  return problems.length > 0 ? { problems } : { rows };
}
