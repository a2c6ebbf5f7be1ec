import { escapePointerToken } from './json-pointer.js';

// One pass over JSON text that is already known to parse, for what JSON.parse loses: the number tokens
// as written (a double cannot hold every one) and a repeated key (the last one silently wins). Linear in
// the text and iterative, so a deeply nested document costs no stack.

/** An open container of the scan, and the token naming its current member. */
export interface JsonScanLevel {
  array: boolean;
  /** For an array the index as text; for an object the current key as JSON source (quoted, escaped). */
  token: string;
  index: number;
}

/** What a scan reports; a callback returning true stops the scan. */
export interface JsonScanVisitor {
  /** A container opened (its level is the last of `levels`) or closed (already removed). */
  enter?(levels: readonly JsonScanLevel[]): void;
  leave?(levels: readonly JsonScanLevel[]): void;
  /** A member's key, as JSON source, in the innermost object. */
  key?(levels: readonly JsonScanLevel[], source: string): boolean | void;
  /** A number token, as written. */
  number?(levels: readonly JsonScanLevel[], token: string): boolean | void;
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The end (exclusive) of the string starting at `start` (its opening quote). */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
}

/** The JSON Pointer of the scan's current member, after `base`. */
export function scanPointer(levels: readonly JsonScanLevel[], base = ''): string {
  return (
    base +
    levels
      .map((level) => `/${level.array ? level.token : escapePointerToken(JSON.parse(level.token) as string)}`)
      .join('')
  );
}

/** Walks `text` (valid JSON), telling `visitor` of containers, keys and numbers in document order. */
export function scanJson(text: string, visitor: JsonScanVisitor): void {
  const levels: JsonScanLevel[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length;) {
    const c = text[i] as string;
    if (c === '{' || c === '[') {
      levels.push({ array: c === '[', token: '0', index: 0 });
      visitor.enter?.(levels);
      expectKey = c === '{';
      i += 1;
    } else if (c === '}' || c === ']') {
      levels.pop();
      visitor.leave?.(levels);
      i += 1;
    } else if (c === ',') {
      const top = levels[levels.length - 1];
      if (top?.array) top.token = String((top.index += 1));
      expectKey = top !== undefined && !top.array;
      i += 1;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey) {
        const source = text.slice(i, end);
        (levels[levels.length - 1] as JsonScanLevel).token = source;
        if (visitor.key?.(levels, source) === true) return;
      }
      expectKey = false;
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const token = (NUMBER.exec(text) as RegExpExecArray)[0];
      if (visitor.number?.(levels, token) === true) return;
      i += token.length;
    } else {
      i += 1;
    }
  }
}
