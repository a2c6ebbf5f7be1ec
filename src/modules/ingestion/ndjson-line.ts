import type { BodyItem } from './ingestion.js';

// One NDJSON line as an item, the same for a request body and for a file.

// Fatal: a line that is not UTF-8 is rejected, not silently repaired. TextDecoder drops a leading
// byte order mark (its default), which some exporters write.
const utf8 = new TextDecoder('utf-8', { fatal: true });

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
  let text: string;
  try {
    text = utf8.decode(bytes).trim();
  } catch {
    return { item: unparsableLine(line, 'is not valid UTF-8'), raw: bytes.toString('utf8').trim(), decoded: false };
  }
  if (text === '') return undefined;
  try {
    return { item: { line, value: JSON.parse(text) }, raw: text, decoded: true };
  } catch (error) {
    return { item: unparsableLine(line, `is not valid JSON: ${(error as Error).message}`), raw: text, decoded: true };
  }
}
