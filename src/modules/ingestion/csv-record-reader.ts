import { createReadStream } from 'node:fs';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { ValidationError, type FieldError } from '../../platform/errors.js';
import { compileCsvHeader, csvRecordToEvent, type CsvHeader } from './csv-event.js';
import type { BatchCollector, EventFileBatch } from './event-file-batch.js';
import type { BodyItem } from './ingestion.js';
import { unparsableLine } from './ndjson-line.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Hands csv-parse a byte stream with LF line ends and no BOM: its line count goes wrong on CRLF
 * inside quoted cells, and its BOM handling switches its output encoding. Line breaks inside quoted
 * cells are therefore read as LF.
 */
class CsvInput extends Transform {
  bytesIn = 0;
  private head: Buffer | undefined = Buffer.alloc(0);
  private heldCarriageReturn = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesIn += chunk.length;
    let data = chunk;
    if (this.head) {
      data = Buffer.concat([this.head, chunk]);
      if (data.length < BOM.length) {
        this.head = data;
        return callback();
      }
      this.head = undefined;
      if (data.subarray(0, BOM.length).equals(BOM)) data = data.subarray(BOM.length);
    }
    if (this.heldCarriageReturn) data = Buffer.concat([Buffer.from([CARRIAGE_RETURN]), data]);
    this.heldCarriageReturn = data.length > 0 && data[data.length - 1] === CARRIAGE_RETURN;
    if (this.heldCarriageReturn) data = data.subarray(0, -1);
    callback(null, withoutCarriageReturnsBeforeNewlines(data));
  }

  override _flush(callback: TransformCallback): void {
    // A held head is shorter than a BOM, so it cannot be one.
    callback(null, this.head ?? (this.heldCarriageReturn ? Buffer.from([CARRIAGE_RETURN]) : undefined));
  }
}

function withoutCarriageReturnsBeforeNewlines(data: Buffer): Buffer {
  const pieces: Buffer[] = [];
  let start = 0;
  for (let at = data.indexOf(CARRIAGE_RETURN); at !== -1; at = data.indexOf(CARRIAGE_RETURN, at + 1)) {
    if (data[at + 1] !== NEWLINE) continue;
    pieces.push(data.subarray(start, at));
    start = at + 1;
  }
  if (start === 0) return data;
  pieces.push(data.subarray(start));
  return Buffer.concat(pieces);
}

// csv-parse runs on latin1, which maps every byte to one character and back: it keeps invalid
// UTF-8 detectable per record (csv-parse decodes leniently) while its `encoding: null` byte mode
// crashes when it builds an error.
const CSV_ENCODING = 'latin1';
const NON_ASCII = /[\u0080-\u00ff]/;

function fromLatin1(text: string): string {
  return !NON_ASCII.test(text) ? text : Buffer.from(text, CSV_ENCODING).toString('utf8');
}

/** The record as written: csv-parse's raw text also carries the blank lines it skipped before it. */
function recordText(raw: string | undefined): string {
  return fromLatin1(raw ?? '')
    .replace(/^[\r\n]+/, '')
    .replace(/[\r\n]$/, '');
}

/** csv-parse counts lines up to where it stands (the record's end, or the error); we report where the record starts. */
function startLine(linesSoFar: number, text: string): number {
  let breaks = 0;
  for (let at = 0; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === NEWLINE || code === CARRIAGE_RETURN) breaks += 1;
  }
  return linesSoFar - breaks;
}

function decodeCells(cells: readonly string[]): string[] | undefined {
  try {
    return cells.map((cell) => (!NON_ASCII.test(cell) ? cell : utf8.decode(Buffer.from(cell, CSV_ENCODING))));
  } catch {
    return undefined;
  }
}

function csvItem(header: CsvHeader, cells: readonly string[], line: number): BodyItem {
  const decoded = decodeCells(cells);
  if (!decoded) return unparsableLine(line, 'is not valid UTF-8');
  const result = csvRecordToEvent(header, decoded);
  return result.ok ? { line, value: result.event } : { line, parseErrors: result.errors };
}

interface CsvEntry {
  record: string[];
  raw: string;
  info: { lines: number };
}

interface SkippedRecord {
  line: number;
  raw: string;
  errors: FieldError[];
}

/**
 * Streams a CSV file with a header line as batches, one item per record. An unusable header, or a
 * record over `maxLineBytes` (an unclosed quote, most likely), stops the read: it throws.
 */
export async function* readCsvRecords(
  path: string,
  batch: BatchCollector,
  maxLineBytes: number,
): AsyncGenerator<EventFileBatch> {
  const input = new CsvInput();
  // csv-parse reports bad records here, synchronously and possibly ahead of the records already
  // parsed but not yet read, and sometimes twice for one record; they are merged by start line
  // and released in file order.
  const skipped: SkippedRecord[] = [];
  const onSkip = (error: CsvError | undefined, raw: string | undefined): undefined => {
    const text = recordText(raw);
    const line = startLine(Number(error?.lines), text);
    if (error?.code === 'CSV_MAX_RECORD_SIZE') {
      throw new ValidationError(
        `the CSV record at line ${line} is longer than ${maxLineBytes} bytes (an unclosed quote?); nothing after it was read`,
      );
    }
    const problem = fromLatin1(error?.message ?? 'unknown error');
    if (error?.records === 0) throw new ValidationError(`the CSV header at line ${line} cannot be parsed: ${problem}`);
    const last = skipped[skipped.length - 1];
    if (last?.line === line) last.raw = text;
    else
      skipped.push({
        line,
        raw: text,
        errors: [{ path: '', message: `line ${line} is not a valid CSV record: ${problem}` }],
      });
    return undefined;
  };
  const release = function* (beforeLine: number) {
    while (skipped.length > 0 && (skipped[0] as SkippedRecord).line < beforeLine) {
      const bad = skipped.shift() as SkippedRecord;
      batch.add({ line: bad.line, parseErrors: bad.errors }, bad.raw);
      if (batch.full) yield batch.take(input.bytesIn);
    }
  };
  const parser = parse({
    encoding: CSV_ENCODING,
    bom: false,
    info: true,
    raw: true,
    relax_column_count: false,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: maxLineBytes,
    on_skip: onSkip,
  });
  const source = createReadStream(path);
  pipeline(source, input, parser, () => undefined);
  let header: CsvHeader | undefined;
  try {
    for await (const { record, raw, info } of parser as AsyncIterable<CsvEntry>) {
      const text = recordText(raw);
      const line = startLine(info.lines, text);
      if (!header) {
        header = readHeader(record, line);
        continue;
      }
      yield* release(line);
      batch.add(csvItem(header, record, line), text);
      if (batch.full) yield batch.take(input.bytesIn);
    }
    yield* release(Infinity);
    if (!batch.empty) yield batch.take(input.bytesIn);
  } finally {
    source.destroy();
  }
}

function readHeader(cells: readonly string[], line: number): CsvHeader {
  const names = decodeCells(cells);
  if (!names) throw new ValidationError(`the CSV header at line ${line} is not valid UTF-8`);
  try {
    return compileCsvHeader(names);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(`the CSV header at line ${line} cannot be used`, error.errors);
    throw error;
  }
}
