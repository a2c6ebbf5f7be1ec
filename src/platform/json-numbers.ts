import { Decimal } from 'decimal.js';
import type { FieldError } from './errors.js';
import { scanJson, scanPointer } from './json-scan.js';

// JSON.parse reads every number as a double: 12345678901234567890 becomes 12345678901234567000 and
// 1e-400 becomes 0, and what would be stored is then not what was sent. This finds such numbers in
// JSON text (already known to parse), each with its JSON Pointer, so they are refused rather than
// silently rounded; a producer that needs more digits sends the value as a decimal string.

// Up to 15 significant digits a double always holds exactly (DBL_DIG); a number can only be changed by
// JSON.parse when it has 16 or more digits, or an exponent of three digits (overflow, underflow). A
// number token starts the text or follows `:`, `,` or `[`, so long digit runs inside strings (numeric
// ids, say) do not send a document down the slow path; a string that merely looks so only costs time.
const MAYBE_INEXACT = /(?:^|[:,[])\s*-?\d(?:\.?\d){15}|(?:^|[:,[])\s*-?\d+(?:\.\d+)?[eE][+-]?\d{3}/;

export function inexactNumberMessage(text: string, parsed: number): string {
  return `is the number ${text}, which JSON cannot carry exactly (it would be stored as ${String(parsed)}); send it as a decimal string such as "${text}"`;
}

/** The number's problem when JSON.parse would change it; Infinity is left to the hostile-content check. */
function numberProblem(text: string): string | undefined {
  const parsed = Number(text);
  if (!Number.isFinite(parsed)) return undefined;
  return new Decimal(text).equals(String(parsed)) ? undefined : inexactNumberMessage(text, parsed);
}

/**
 * Every number in `text` (valid JSON) that JSON.parse cannot hold exactly, with its path. Linear in
 * the text and iterative; most documents are passed by one regular expression test.
 */
export function findInexactNumbers(text: string, base = '', maxProblems = 20): FieldError[] {
  if (!MAYBE_INEXACT.test(text)) return [];
  const found: FieldError[] = [];
  scanJson(text, {
    number(levels, token) {
      const problem = numberProblem(token);
      if (problem !== undefined) found.push({ path: scanPointer(levels, base), message: problem });
      return found.length >= maxProblems;
    },
  });
  return found;
}
