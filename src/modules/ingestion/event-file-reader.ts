import { extname } from 'node:path';
import { readCsvRecords } from './csv-record-reader.js';
import type { BodyItem } from './ingestion.js';
import { readNdjsonLines } from './ndjson-line-reader.js';

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

export function eventFileFormat(path: string): EventFileFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  return extension === '.csv' ? 'csv' : undefined;
}

/** Gathers a reader's items into batches of at most `size`; the reader yields each one as it fills. */
export class BatchCollector {
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

/**
 * Streams an event file as batches of items for ingestion; memory holds one batch, never the file.
 * A line or record that cannot be parsed becomes a rejected item; only an unusable CSV header, a
 * CSV record over `maxLineBytes` or a read error stop the read (they throw).
 */
export function readEventFile(path: string, options: ReadEventFileOptions): AsyncGenerator<EventFileBatch> {
  const batch = new BatchCollector(options.batchSize);
  return options.format === 'csv'
    ? readCsvRecords(path, batch, options.maxLineBytes)
    : readNdjsonLines(path, batch, options.maxLineBytes);
}
