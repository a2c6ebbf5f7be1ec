import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import { DeliveryFailure } from '../connector.js';
import { CSV_RECORD_END } from './file-format.js';
import type { ExportFormat } from './file-mapping.js';

// An export file read back whole, row by row, for find's totals and lines and for listHeld: each row's
// fields as text (a number as its text, an empty CSV cell or a JSON null as null, a structured field as
// its JSON) with the line of the file it starts on. A file or a row that is not what this export writes
// is a DeliveryFailure('invalid') naming the file and the line, for a person to look at: reconciliation
// must not guess what a damaged export holds.

export type FieldText = string | null;

export interface ExportRow {
  /** The line of the file the row starts on, from 1 (the CSV header is line 1). */
  line: number;
  fields: Readonly<Record<string, FieldText>>;
}

export function unreadable(path: string, line: number | undefined, why: string): DeliveryFailure {
  const where = line === undefined ? path : `${path} line ${line}`;
  return new DeliveryFailure('invalid', `the file export cannot read ${where}: ${why}`, { path: where });
}

/** The rows of one export file written with `columns`; an empty or absent file has none. */
export function readExportRows(
  format: ExportFormat,
  columns: readonly string[],
  bytes: Buffer,
  path: string,
): ExportRow[] {
  if (bytes.length === 0) return [];
  if (!isUtf8(bytes)) throw unreadable(path, undefined, 'it is not UTF-8 text');
  return format === 'jsonl' ? jsonlRows(columns, bytes, path) : csvRows(columns, bytes, path);
}

function fieldText(value: unknown): FieldText | undefined {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return undefined;
}

function jsonlRows(columns: readonly string[], bytes: Buffer, path: string): ExportRow[] {
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) !== '') throw unreadable(path, lines.length, 'the last line does not end with a line feed');
  return lines.slice(0, -1).map((text, index) => {
    const line = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw unreadable(path, line, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw unreadable(path, line, 'not a JSON object');
    const fields: Record<string, FieldText> = {};
    for (const column of columns) {
      const text = fieldText((value as Record<string, unknown>)[column] ?? null);
      if (text === undefined) throw unreadable(path, line, `${column} is neither text, a number nor null`);
      fields[column] = text;
    }
    return { line, fields };
  });
}

interface CsvRecord {
  record: string[];
  info: { bytes: number };
}

function csvRows(columns: readonly string[], bytes: Buffer, path: string): ExportRow[] {
  if (!bytes.subarray(-CSV_RECORD_END.length).equals(Buffer.from(CSV_RECORD_END)))
    throw unreadable(path, lineAt(bytes, bytes.length), 'the last record does not end with CRLF');
  let records: CsvRecord[];
  try {
    records = parse(bytes, { info: true, relax_column_count: false }) as unknown as CsvRecord[];
  } catch (error) {
    const line = error !== null && typeof error === 'object' && 'lines' in error ? Number(error.lines) : undefined;
    throw unreadable(path, line, `not CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [header, ...rows] = records;
  if (header === undefined || header.record.join(',') !== columns.join(','))
    throw unreadable(path, 1, `its header is not ${columns.join(',')}`);
  // A record starts where the one before it ended (`info.bytes` counts the bytes read up to its end).
  let start = header.info.bytes;
  let line = lineAt(bytes, start);
  return rows.map(({ record, info }) => {
    const row = { line, fields: Object.fromEntries(columns.map((column, index) => [column, record[index] || null])) };
    line += countLineFeeds(bytes, start, info.bytes);
    start = info.bytes;
    return row;
  });
}

function countLineFeeds(bytes: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a, from); at !== -1 && at < to; at = bytes.indexOf(0x0a, at + 1)) count += 1;
  return count;
}

/** The line of the file that byte offset `at` falls on, from 1. */
const lineAt = (bytes: Buffer, at: number) => 1 + countLineFeeds(bytes, 0, at);
