import { extname } from 'node:path';
import { readCsvRecords } from './csv-record-reader.js';
import { BatchCollector, type EventFileBatch } from './event-file-batch.js';
import { readNdjsonLines } from './ndjson-line-reader.js';

export type { EventFileBatch } from './event-file-batch.js';

export const EVENT_FILE_FORMATS = ['ndjson', 'csv'] as const;
export type EventFileFormat = (typeof EVENT_FILE_FORMATS)[number];

export interface ReadEventFileOptions {
  format: EventFileFormat;
  /** Most items per batch. */
  batchSize: number;
  /** Longest NDJSON line (rejected beyond) or CSV record (the read stops beyond): a file without line breaks must not fill memory. */
  maxLineBytes: number;
}

export function eventFileFormat(path: string): EventFileFormat | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  return extension === '.csv' ? 'csv' : undefined;
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
