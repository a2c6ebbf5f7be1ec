import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { Decimal } from 'decimal.js';
import { strToU8, zipSync } from 'fflate';
import { minorUnitDigits } from '../../../platform/iso-4217.js';
import { DeliveryFailure, type JournalEntry, type JournalLine, type PostingBody } from '../connector.js';
import { toPositionalRow } from './gl-interface-columns.js';
import { SEGMENT_VALUE } from './oracle-fusion-entity-rules.js';
import { ORACLE_LENGTHS } from './oracle-fusion-settings-schema.js';
import type { OracleFusionSettings, SegmentSource } from './oracle-fusion-settings.js';

// A journal entry as the FBDI file Journal Import reads: one GlInterface.csv row per line, headerless and
// positional (gl-interface-columns.ts), zipped, with names and a group id that are functions of the
// posting alone: the batch (REFERENCE1) is what the connector looks the posting up by before it imports
// anything, and the same posting always yields the same bytes. Every problem is found here, before any
// request, and is `invalid` with the line's path.

/** The batch a posting is imported as, and looked up by (`journalBatches?q=BatchName='...'`). */
export const batchName = (body: PostingBody): string => `Meterbridge ${body.externalId}`;

/** External ids that can be quoted into a batch look-up: what Meterbridge makes, and nothing else. */
export const LOOKUP_SAFE = /^[A-Za-z0-9_-]{1,64}$/;

/** The external id a batch name carries (`Meterbridge <external id>`), or null for a batch named otherwise. */
export function externalIdOf(name: string): string | null {
  const match = /^Meterbridge ([A-Za-z0-9_-]{1,64})$/.exec(name);
  return match?.[1] ?? null;
}

export interface ImportFile {
  batchName: string;
  journalName: string;
  /** GROUP_ID of every row and Journal Import's fourth parameter. */
  groupId: string;
  /** GlInterface.csv's text. */
  csv: string;
  /** The zip holding GlInterface.csv, as importBulkData's DocumentContent carries it (base64). */
  zipBase64: string;
  fileName: string;
}

const AMOUNT = /^\d{1,15}(\.\d{1,6})?$/;
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function invalid(message: string, path?: string): DeliveryFailure {
  return new DeliveryFailure('invalid', message, path === undefined ? {} : { path });
}

/** Text for a VARCHAR2 column: control characters as spaces, cut to `bytes` of UTF-8 on a character. */
export function fitText(value: string, bytes: number = ORACLE_LENGTHS.description): string {
  const clean = value.replace(CONTROL, ' ').trim();
  if (Buffer.byteLength(clean) <= bytes) return clean;
  let out = '';
  for (const char of clean) {
    if (Buffer.byteLength(out + char) > bytes) break;
    out += char;
  }
  return out;
}

function segmentValue(source: SegmentSource, line: JournalLine, at: string, index: number): string {
  const where = `${at}.SEGMENT${index + 1}`;
  let value: string | undefined;
  if (source.source === 'account') value = line.account;
  else if (source.source === 'constant') value = source.value;
  else value = line.dimensions[source.dimension] ?? source.default;
  if (value === undefined)
    throw invalid(
      `${where} takes the dimension ${source.source === 'dimension' ? source.dimension : '?'}, which the line does not carry and the target gives no default for`,
      where,
    );
  if (value.length > ORACLE_LENGTHS.segment || !SEGMENT_VALUE.test(value))
    throw invalid(
      `${where} would be ${JSON.stringify(value.slice(0, 40))}: a segment value is 1 to ${ORACLE_LENGTHS.segment} printable ASCII characters`,
      where,
    );
  return value;
}

/** The line's debit or credit as exact text for ENTERED_DR / ENTERED_CR (the other empty). */
function amounts(line: JournalLine, currency: string, at: string): { dr: string; cr: string } {
  const digits = minorUnitDigits(currency) ?? 2;
  const read = (value: string, side: 'debit' | 'credit') => {
    if (!AMOUNT.test(value))
      throw invalid(`${at}.${side} is ${JSON.stringify(value)}, not a positive decimal`, `${at}.${side}`);
    const decimals = value.split('.')[1]?.replace(/0+$/, '').length ?? 0;
    if (decimals > digits)
      throw invalid(`${at}.${side} ${value} has more decimals than ${currency}'s ${digits}`, `${at}.${side}`);
    return new Decimal(value);
  };
  const debit = read(line.debit, 'debit');
  const credit = read(line.credit, 'credit');
  if (debit.isZero() === credit.isZero())
    throw invalid(`${at} must have exactly one of debit and credit above zero`, at);
  return { dr: debit.isZero() ? '' : line.debit, cr: credit.isZero() ? '' : line.credit };
}

/** The line's drill-down: the Meterbridge documents it summarizes, by number. */
function documentNumbers(line: JournalLine): string {
  return [...new Set(line.references.map((reference) => reference.invoiceNumber))].join(' ');
}

/** Journal Import's group: a 15-digit number of the posting and its rows, so a corrected posting has a new one. */
function groupIdOf(externalId: string, rowsText: string): string {
  const digest = createHash('sha256').update(`${externalId}\u0000${rowsText}`).digest();
  return String(digest.readUIntBE(0, 6) + 1);
}

const slashDate = (date: string) => date.replace(/-/g, '/');

/** The FBDI import of a journal entry; `invalid` for what Oracle could not take. */
export function toImportFile(body: PostingBody, settings: OracleFusionSettings): ImportFile {
  if (body.type !== 'journal')
    throw invalid(`Oracle Fusion takes journal entries only, not ${body.type} documents (use journal mode)`);
  const entry: JournalEntry = body;
  if (!LOOKUP_SAFE.test(entry.externalId))
    throw invalid(
      `the external id ${JSON.stringify(entry.externalId)} cannot name an Oracle journal batch`,
      'externalId',
    );
  if (!/^[A-Z]{3}$/.test(entry.currency))
    throw invalid(`currency ${JSON.stringify(entry.currency)} is no ISO code`, 'currency');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.postingDate))
    throw invalid(`postingDate ${JSON.stringify(entry.postingDate)} is not YYYY-MM-DD`, 'postingDate');
  if (entry.lines.length === 0) throw invalid('the entry has no lines', 'lines');
  const batch = batchName(entry);
  const journal = `${batch} ${entry.currency}`;
  const description = fitText(entry.memo);
  let balance = new Decimal(0);
  const rows = entry.lines.map((line, index) => {
    const at = `lines[${index}]`;
    const { dr, cr } = amounts(line, entry.currency, at);
    balance = balance.plus(dr || 0).minus(cr || 0);
    const segments = Object.fromEntries(
      settings.segments.map((source, segment) => [`SEGMENT${segment + 1}`, segmentValue(source, line, at, segment)]),
    );
    return {
      STATUS: 'NEW',
      LEDGER_ID: settings.ledgerId,
      ACCOUNTING_DATE: slashDate(entry.postingDate),
      USER_JE_SOURCE_NAME: settings.source,
      USER_JE_CATEGORY_NAME: settings.category,
      CURRENCY_CODE: entry.currency,
      // The posting's date, not today's: the same posting always makes the same file.
      DATE_CREATED: slashDate(entry.postingDate),
      ACTUAL_FLAG: 'A',
      ...segments,
      ENTERED_DR: dr,
      ENTERED_CR: cr,
      REFERENCE1: batch,
      REFERENCE2: description,
      REFERENCE4: journal,
      REFERENCE5: description,
      REFERENCE6: entry.externalId,
      REFERENCE10: fitText(line.memo),
      REFERENCE21: entry.externalId,
      REFERENCE22: String(index + 1),
      REFERENCE23: fitText(documentNumbers(line)),
      REFERENCE24: fitText(entry.legalEntity),
    };
  });
  if (!balance.isZero())
    throw invalid(`the entry does not balance: debits less credits is ${balance.toFixed()}`, 'lines');
  const encode = (groupId: string) =>
    stringify(
      rows.map((row) => toPositionalRow({ ...row, GROUP_ID: groupId })),
      { record_delimiter: 'unix' },
    );
  const groupId = groupIdOf(entry.externalId, encode(''));
  const csv = encode(groupId);
  // A fixed time in the zip's entry too: the same posting is the same bytes on every attempt.
  const zip = zipSync({ 'GlInterface.csv': [strToU8(csv), { mtime: `${entry.postingDate}T00:00:00Z` }] });
  return {
    batchName: batch,
    journalName: journal,
    groupId,
    csv,
    zipBase64: Buffer.from(zip).toString('base64'),
    fileName: `Meterbridge_${entry.externalId}.zip`,
  };
}

/** Journal Import's parameters: data access set, source, ledger, group, suspense, summary, flexfields. */
export function parameterList(settings: OracleFusionSettings, groupId: string): string {
  return [
    settings.dataAccessSetId ?? '#NULL',
    settings.source,
    settings.ledgerId,
    groupId,
    settings.postErrorsToSuspense ? 'Y' : 'N',
    'N',
    'N',
  ].join(',');
}
