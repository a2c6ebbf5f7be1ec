import { Decimal } from 'decimal.js';
import type { FieldError } from './errors.js';
import { escapePointerToken } from './json-pointer.js';

// JSON.parse reads every number as a double: 12345678901234567890 becomes 12345678901234567000 and
// 1e-400 becomes 0, and what would be stored is then not what was sent. This finds such numbers in
// JSON text (already known to parse), each with its JSON Pointer, so they are refused rather than
// silently rounded; a producer that needs more digits sends the value as a decimal string.

// Up to 15 significant digits a double always holds exactly (DBL_DIG); a number can only be changed by
// JSON.parse when it has 16 or more digits, or an exponent of three digits (overflow, underflow). A
// number token starts the text or follows `:`, `,` or `[`, so long digit runs inside strings (numeric
// ids, say) do not send a document down the slow path; a string that merely looks so only costs time.
const MAYBE_INEXACT = /(?:^|[:,[])\s*-?\d(?:\.?\d){15}|(?:^|[:,[])\s*-?\d+(?:\.\d+)?[eE][+-]?\d{3}/;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function inexactNumberMessage(text: string, parsed: number): string {
  return `is the number ${text}, which JSON cannot carry exactly (it would be stored as ${String(parsed)}); send it as a decimal string such as "${text}"`;
}

/** The number's problem when JSON.parse would change it; Infinity is left to the hostile-content check. */
function numberProblem(text: string): string | undefined {
  const parsed = Number(text);
  if (!Number.isFinite(parsed)) return undefined;
  return new Decimal(text).equals(String(parsed)) ? undefined : inexactNumberMessage(text, parsed);
}

/** Where the scan stands in the document: each open container and the token that names the current member. */
interface Level {
  array: boolean;
  /** For an array the index as text; for an object the key as JSON source (decoded only for a report). */
  token: string;
  index: number;
}

function pointerOf(levels: readonly Level[], base: string): string {
  return (
    base +
    levels
      .map((level) => `/${level.array ? level.token : escapePointerToken(JSON.parse(level.token) as string)}`)
      .join('')
  );
}

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

/**
 * Every number in `text` (valid JSON) that JSON.parse cannot hold exactly, with its path. Linear in
 * the text and iterative; most documents are passed by one regular expression test.
 */
export function findInexactNumbers(text: string, base = '', maxProblems = 20): FieldError[] {
  if (!MAYBE_INEXACT.test(text)) return [];
  const found: FieldError[] = [];
  const levels: Level[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length && found.length < maxProblems;) {
    const c = text[i] as string;
    if (c === '{' || c === '[') {
      levels.push({ array: c === '[', token: '0', index: 0 });
      expectKey = c === '{';
      i += 1;
    } else if (c === '}' || c === ']') {
      levels.pop();
      i += 1;
    } else if (c === ',') {
      const top = levels[levels.length - 1];
      if (top?.array) top.token = String((top.index += 1));
      expectKey = top !== undefined && !top.array;
      i += 1;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (expectKey) (levels[levels.length - 1] as Level).token = text.slice(i, end);
      expectKey = false;
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const token = (NUMBER.exec(text) as RegExpExecArray)[0];
      const problem = numberProblem(token);
      if (problem !== undefined) found.push({ path: pointerOf(levels, base), message: problem });
      i += token.length;
    } else {
      i += 1;
    }
  }
  return found;
}
