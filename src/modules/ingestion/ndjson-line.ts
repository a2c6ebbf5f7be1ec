import { findInexactNumbers } from '../../platform/json-numbers.js';
import { decodeUtf8 } from '../../platform/utf8.js';
import type { BodyItem } from './ingestion.js';

// One NDJSON line as an item, the same for a request body and for a file. A line that is not UTF-8 is
// rejected, not silently repaired.

export interface NdjsonLine {
  item: BodyItem;
  /** The line's text, trimmed: decoded leniently, for display only, when the line is not UTF-8. */
  raw: string;
  /** False when the line is not UTF-8, so it was never read as JSON. */
  decoded: boolean;
}

/** A line (for CSV, the line a record starts on) that cannot become an event, rejected with its 1-based number. */
export function unparsableLine(line: number, problem: string): BodyItem {
  return { line, parseErrors: [{ path: '', message: `line ${line} ${problem}` }] };
}

/** The event on one line (or why there is none); undefined for a blank line, which carries no event. */
export function parseNdjsonLine(bytes: Buffer, line: number): NdjsonLine | undefined {
  const text = decodeUtf8(bytes)?.trim();
  if (text === undefined)
    return { item: unparsableLine(line, 'is not valid UTF-8'), raw: bytes.toString('utf8').trim(), decoded: false };
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { item: unparsableLine(line, `is not valid JSON: ${(error as Error).message}`), raw: text, decoded: true };
  }
  // A number JSON.parse would round is that event's rejection, at its path, like any other bad value.
  const inexact = findInexactNumbers(text);
  return { item: inexact.length > 0 ? { line, parseErrors: inexact } : { line, value }, raw: text, decoded: true };
}
