import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { pipeline, Transform, type TransformCallback } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { ValidationError, type FieldError } from '../../platform/errors.js';
import { compileCsvHeader, csvRecordToEvent, type CsvHeader } from './csv-event.js';
import type { BodyItem } from './ingestion.js';

export const EVENT_FILE_FORMATS = ['ndjson', 'csv'] as const;
export type EventFileFormat = (typeof EVENT_FILE_FORMATS)[number];

export interface ReadEventFileOptions {
  format: EventFileFormat;
  /** Most items per batch. */
  batchSize: number;
  /** Longest NDJSON line (rejected beyond) or CSV record (the read stops beyond): a file without line breaks must not fill memory. */
  maxLineBytes: number;
}

/** Consecutive items of a file, in file order. */
export interface EventFileBatch {
  /** For `Ingestion.ingest`, each with its 1-based line number (where a multi-line CSV record starts). */
  items: BodyItem[];
  /** Each item's text as written, to show the operator when it is rejected. */
  raws: string[];
  /** Bytes of the file consumed so far, for progress against its size. */
  bytesRead: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const RAW_PREFIX_BYTES = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function eventFileFormat(path: string): EventFileFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  return extension === '.csv' ? 'csv' : undefined;
}

class BatchCollector {
  private items: BodyItem[] = [];
  private raws: string[] = [];

  constructor(private readonly size: number) {}

  add(item: BodyItem, raw: string): void {
    this.items.push(item);
    this.raws.push(raw);
  }

  get full(): boolean {
    return this.items.length >= this.size;
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  take(bytesRead: number): EventFileBatch {
    const batch = { items: this.items, raws: this.raws, bytesRead };
    this.items = [];
    this.raws = [];
    return batch;
  }
}

function parseError(line: number, message: string): BodyItem {
  return { line, parseErrors: [{ path: '', message: `line ${line} ${message}` }] };
}

/** One NDJSON line as an item, or nothing for a blank line. */
function ndjsonItem(bytes: Buffer, line: number): { item: BodyItem; raw: string } | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes).trim();
  } catch {
    return { item: parseError(line, 'is not valid UTF-8'), raw: bytes.toString('utf8').trim() };
  }
  if (text === '') return undefined;
  try {
    return { item: { line, value: JSON.parse(text) }, raw: text };
  } catch (error) {
    return { item: parseError(line, `is not valid JSON: ${(error as Error).message}`), raw: text };
  }
}

async function* readNdjson(path: string, options: ReadEventFileOptions): AsyncGenerator<EventFileBatch> {
  const batch = new BatchCollector(options.batchSize);
  let parts: Buffer[] = [];
  let partBytes = 0;
  let oversized: Buffer | undefined;
  let line = 0;
  let bytesRead = 0;
  const append = (piece: Buffer) => {
    if (oversized) return;
    if (partBytes + piece.length <= options.maxLineBytes) {
      parts.push(piece);
      partBytes += piece.length;
      return;
    }
    oversized = Buffer.concat([...parts, piece], Math.min(RAW_PREFIX_BYTES, partBytes + piece.length));
    parts = [];
  };
  const endLine = () => {
    line += 1;
    let bytes = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    if (line === 1 && bytes.subarray(0, BOM.length).equals(BOM)) bytes = bytes.subarray(BOM.length);
    const read = oversized
      ? { item: parseError(line, `is longer than ${options.maxLineBytes} bytes`), raw: `${oversized.toString('utf8')}...` }
      : ndjsonItem(bytes, line);
    if (read) batch.add(read.item, read.raw);
    parts = [];
    partBytes = 0;
    oversized = undefined;
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      append(chunk.subarray(start, end));
      start = end + 1;
      endLine();
      if (batch.full) yield batch.take(bytesRead);
    }
    if (start < chunk.length) append(chunk.subarray(start));
  }
  if (partBytes > 0 || oversized) endLine();
  if (!batch.empty) yield batch.take(bytesRead);
}

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
  return fromLatin1(raw ?? '').replace(/^[\r\n]+/, '').replace(/[\r\n]$/, '');
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
  if (!decoded) return parseError(line, 'is not valid UTF-8');
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

async function* readCsv(path: string, options: ReadEventFileOptions): AsyncGenerator<EventFileBatch> {
  const batch = new BatchCollector(options.batchSize);
  const input = new CsvInput();
  // csv-parse reports bad records here, synchronously and possibly ahead of the records already
  // parsed but not yet read, and sometimes twice for one record; they are merged by start line
  // and released in file order.
  const skipped: SkippedRecord[] = [];
  const onSkip = (error: CsvError | undefined, raw: string | undefined): undefined => {
    const text = recordText(raw);
    const line = startLine(Number(error?.lines), text);
    if (error?.code === 'CSV_MAX_RECORD_SIZE') {
      throw new ValidationError(`the CSV record at line ${line} is longer than ${options.maxLineBytes} bytes (an unclosed quote?); nothing after it was read`);
    }
    const problem = fromLatin1(error?.message ?? 'unknown error');
    if (error?.records === 0) throw new ValidationError(`the CSV header at line ${line} cannot be parsed: ${problem}`);
    const last = skipped[skipped.length - 1];
    if (last?.line === line) last.raw = text;
    else skipped.push({ line, raw: text, errors: [{ path: '', message: `line ${line} is not a valid CSV record: ${problem}` }] });
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
    max_record_size: options.maxLineBytes,
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
    if (error instanceof ValidationError) throw new ValidationError(`the CSV header at line ${line} cannot be used`, error.errors);
    throw error;
  }
}

/**
 * Streams an event file as batches of items for ingestion; memory holds one batch, never the file.
 * A line or record that cannot be parsed becomes a rejected item; only an unusable CSV header, a
 * CSV record over `maxLineBytes` or a read error stop the read (they throw).
 */
export function readEventFile(path: string, options: ReadEventFileOptions): AsyncGenerator<EventFileBatch> {
  return options.format === 'csv' ? readCsv(path, options) : readNdjson(path, options);
}
