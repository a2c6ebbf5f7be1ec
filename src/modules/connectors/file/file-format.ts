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
 * The external ids an existing file holds. Refuses (ForeignFileError) a file whose header is not
 * `columns` or that does not parse: appending to it would mix layouts, and rewriting it could drop rows.
 */
export function externalIdsIn(format: ExportFormat, columns: readonly string[], text: string): Set<string> {
  const ids = new Set<string>();
  if (text === '') return ids;
  if (format === 'jsonl') {
    const lines = text.split('\n');
    if (lines.at(-1) !== '') throw new ForeignFileError('the last line does not end with a line feed');
    lines.slice(0, -1).forEach((line, index) => ids.add(jsonlExternalId(line, index + 1)));
    return ids;
  }
  // Appending after a record that does not end would glue the next row onto it.
  if (!text.endsWith(CSV_RECORD_END)) throw new ForeignFileError('the last record does not end with CRLF');
  let records: unknown;
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: false });
  } catch (error) {
    throw new ForeignFileError(`not CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(records) || records.length === 0) throw new ForeignFileError('no header row');
  const [header, ...body] = records;
  if (!sameColumns(header, columns))
    throw new ForeignFileError(`its header is not ${columns.join(',')}: another layout or another program's file`);
  for (const record of body) {
    const id: unknown = Array.isArray(record) ? record[0] : undefined;
    if (typeof id !== 'string' || id === '') throw new ForeignFileError('a row has no external id');
    ids.add(id);
  }
  return ids;
}

function jsonlExternalId(line: string, lineNo: number): string {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    throw new ForeignFileError(`line ${lineNo} is not JSON`);
  }
  const id: unknown = row !== null && typeof row === 'object' && 'externalId' in row ? row.externalId : undefined;
  if (typeof id !== 'string' || id === '') throw new ForeignFileError(`line ${lineNo} has no external id`);
  return id;
}

function sameColumns(header: unknown, columns: readonly string[]): boolean {
  return Array.isArray(header) && header.length === columns.length && columns.every((name, i) => header[i] === name);
}
