import { createReadStream } from 'node:fs';
import type { BatchCollector, EventFileBatch } from './event-file-batch.js';
import { parseNdjsonLine, unparsableLine } from './ndjson-line.js';

const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// How much of an over-long line is kept to show the operator.
const RAW_PREFIX_BYTES = 256;

/**
 * Streams an NDJSON file as batches, one item per non-blank line. A line over `maxLineBytes` is
 * rejected without being held: only its first bytes are kept, to show.
 */
export async function* readNdjsonLines(
  path: string,
  batch: BatchCollector,
  maxLineBytes: number,
): AsyncGenerator<EventFileBatch> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let oversized: Buffer | undefined;
  let line = 0;
  let bytesRead = 0;
  const append = (piece: Buffer) => {
    if (oversized) return;
    if (partBytes + piece.length <= maxLineBytes) {
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
      ? { item: unparsableLine(line, `is longer than ${maxLineBytes} bytes`), raw: `${oversized.toString('utf8')}...` }
      : parseNdjsonLine(bytes, line);
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
