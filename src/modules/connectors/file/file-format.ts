import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { ExportFormat, Row, RowValue } from './file-mapping.js';

// Encoding rows as text, and reading back which external ids a file already holds.
//
// CSV: RFC 4180 — CRLF between records, a header row, a field quoted when it holds a comma, a quote, CR
// or LF (csv-stringify quotes CR and LF only with `quoted_match`: without it a lone LF in a memo would
// split the record). Structured fields (dimensions, references) are JSON text in their cell; null is an
// empty cell. NUL and lone UTF-16 surrogates are written as U+FFFD: UTF-8 cannot encode a lone surrogate
// at all, and NUL breaks spreadsheet and PostgreSQL COPY imports. CSV is the lossy, friendly format.
//
// JSONL: one JSON object per row, one row per line (LF). JSON.stringify escapes every control character
// (NUL, CR, LF) and lone surrogates (`\udc00`), and U+2028/U+2029 are escaped here too because some line
// splitters (Python's str.splitlines) break lines on them. JSONL is the exact format: JSON.parse of a
// line gives every value back as it was.

export const CSV_RECORD_END = '\r\n';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The rows as text to append: the header first when `withHeader` (a new file). Ends with a record end. */
export function encodeRows(
  format: ExportFormat,
  columns: readonly string[],
  rows: readonly Row[],
  withHeader: boolean,
): string {
  if (format === 'jsonl') return rows.map((row) => jsonLine(columns, row)).join('');
  const records = rows.map((row) => columns.map((column) => csvCell(row[column] ?? null)));
  return stringify(withHeader ? [[...columns], ...records] : records, {
    record_delimiter: 'windows',
    quoted_match: /[\r\n]/,
  });
}

function jsonLine(columns: readonly string[], row: Row): string {
  const ordered = Object.fromEntries(columns.map((column) => [column, row[column] ?? null]));
  return `${JSON.stringify(ordered)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')}\n`;
}

function csvCell(value: RowValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}

/** Why an existing file cannot be appended to: it is not one this connector wrote with these columns. */
export class ForeignFileError extends Error {
  override name = 'ForeignFileError';
}

/**
 * Whether an existing export file holds rows of `externalId`. Refuses (ForeignFileError) a file that is
 * not UTF-8, whose header is not `columns`, or whose last record is cut: appending to it would mix
 * layouts or glue rows together, and rewriting it could drop what another program put there.
 *
 * Every row this connector writes starts with its external id, unquoted (ids are A-Z a-z 0-9 _ -), so a
 * file without `<record start><id>,` does not hold it: a byte search, no parse, which is what keeps a
 * posting to a large file cheap. In JSONL a hit is certain (a raw LF never occurs inside a JSON line); in
 * CSV it may be text inside a quoted field (a memo can hold anything), so a hit is confirmed by parsing.
 */
export function holdsExternalId(
  format: ExportFormat,
  columns: readonly string[],
  bytes: Buffer,
  externalId: string,
): boolean {
  if (bytes.length === 0) return false;
  if (!isUtf8(bytes)) throw new ForeignFileError('it is not UTF-8 text');
  return format === 'jsonl' ? jsonlHolds(bytes, externalId) : csvHolds(columns, bytes, externalId);
}

function jsonlHolds(bytes: Buffer, externalId: string): boolean {
  if (bytes.at(-1) !== 0x0a) throw new ForeignFileError('the last line does not end with a line feed');
  if (!startsWith(bytes, '{"externalId":"')) throw new ForeignFileError('its first line is not a row of this export');
  const rowStart = `{"externalId":${JSON.stringify(externalId)},`;
  return startsWith(bytes, rowStart) || bytes.includes(`\n${rowStart}`);
}

function csvHolds(columns: readonly string[], bytes: Buffer, externalId: string): boolean {
  if (!startsWith(bytes, `${columns.join(',')}${CSV_RECORD_END}`))
    throw new ForeignFileError(`its header is not ${columns.join(',')}: another layout or another program's file`);
  if (!endsWith(bytes, CSV_RECORD_END)) throw new ForeignFileError('the last record does not end with CRLF');
  if (!bytes.includes(`${CSV_RECORD_END}${externalId},`)) return false;
  let records: unknown;
  try {
    records = parse(bytes.toString('utf8'), { relax_column_count: false });
  } catch (error) {
    throw new ForeignFileError(`not CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(records)) throw new ForeignFileError('not CSV');
  return records.slice(1).some((record: unknown) => Array.isArray(record) && record[0] === externalId);
}

const startsWith = (bytes: Buffer, text: string) =>
  bytes.subarray(0, Buffer.byteLength(text)).equals(Buffer.from(text));
const endsWith = (bytes: Buffer, text: string) => bytes.subarray(-Buffer.byteLength(text)).equals(Buffer.from(text));
