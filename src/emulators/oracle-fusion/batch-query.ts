import { badRequest } from './oracle-error.js';
import type { StoredBatch } from './pod-store.js';

// The `q` and `orderBy` query parameters of journalBatches, as the REST framework reads them: a row-match
// expression of comparisons on the resource's attributes. Framework version 1 (the default) joins
// comparisons with `;`; from version 2 (the REST-Framework-Version header) they are joined with `and`.
// Only comparisons joined by AND are taken here (no `or`, no parentheses, no LIKE / IN / BETWEEN); every
// other expression, an unknown attribute, a value of the wrong kind or hostile text is Oracle's 400.

type Value = string | number;
type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

interface Comparison {
  attribute: string;
  operator: Operator;
  value: Value;
}

/** The attributes a client may filter on, each with the kind of value it compares. */
const ATTRIBUTES: Record<string, { kind: 'text' | 'number' | 'date'; of: (batch: StoredBatch) => Value | null }> = {
  JeBatchId: { kind: 'number', of: (batch) => batch.id },
  BatchName: { kind: 'text', of: (batch) => batch.name },
  UserJeSourceName: { kind: 'text', of: (batch) => batch.source },
  ActualFlag: { kind: 'text', of: () => 'A' },
  Status: { kind: 'text', of: () => 'U' },
  DefaultPeriodName: { kind: 'text', of: (batch) => batch.journals[0]?.periodName ?? null },
  DefaultEffectiveDate: { kind: 'date', of: (batch) => batch.journals[0]?.accountingDate ?? null },
};

/** Longer expressions are refused: no client of a GL needs them, and they are cheap to send. */
const MAX_QUERY_CHARS = 2048;
const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const HOSTILE =
  // eslint-disable-next-line no-control-regex -- control characters are what it refuses
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const refuse = (q: string, why: string) => badRequest(`The query "${q.slice(0, 200)}" isn't valid: ${why}.`);

/** Reads one comparison at `at`; answers it and where the text after it starts. */
function readComparison(q: string, at: number): { comparison: Comparison; next: number } {
  const match = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(!=|<=|>=|=|<|>)\s*/.exec(q.slice(at));
  if (!match) throw refuse(q, `expected an attribute and an operator at character ${at + 1}`);
  const [whole, attribute = '', operator = '='] = match;
  const definition = ATTRIBUTES[attribute];
  if (!definition) throw refuse(q, `${attribute} isn't a queryable attribute of journalBatches`);
  let next = at + whole.length;
  let value: Value;
  const quote = q[next];
  if (quote === "'" || quote === '"') {
    let text = '';
    for (next += 1; ; next += 1) {
      if (next >= q.length) throw refuse(q, 'a quoted value is not closed');
      if (q[next] === quote && q[next + 1] === quote) {
        text += quote;
        next += 1;
      } else if (q[next] === quote) break;
      else text += q[next];
    }
    next += 1;
    value = text;
  } else {
    const number = /^-?\d{1,18}(\.\d{1,18})?/.exec(q.slice(next))?.[0];
    if (number === undefined) throw refuse(q, `${attribute} is compared with no value`);
    next += number.length;
    value = Number(number);
  }
  if (definition.kind === 'number' && typeof value !== 'number') throw refuse(q, `${attribute} is a number`);
  if (definition.kind !== 'number' && typeof value !== 'string') throw refuse(q, `${attribute} is compared with text`);
  if (definition.kind === 'date' && !ISO_DATE.test(String(value)))
    throw refuse(q, `${attribute} is a date, written 'YYYY-MM-DD'`);
  return { comparison: { attribute, operator: operator as Operator, value }, next };
}

function parse(q: string, frameworkVersion: number): Comparison[] {
  if (q.length > MAX_QUERY_CHARS) throw refuse(q, `it is longer than ${MAX_QUERY_CHARS} characters`);
  if (HOSTILE.test(q)) throw refuse(q, 'it holds control characters or unpaired surrogates');
  const joiner = frameworkVersion >= 2 ? /^\s+and\s+/i : /^\s*;\s*/;
  const comparisons: Comparison[] = [];
  for (let at = 0; ;) {
    const { comparison, next } = readComparison(q, at);
    comparisons.push(comparison);
    const rest = q.slice(next);
    if (rest.trim() === '') return comparisons;
    const join = joiner.exec(rest);
    if (!join)
      throw refuse(
        q,
        frameworkVersion >= 2
          ? `only comparisons joined by "and" are supported (character ${next + 1})`
          : `framework version 1 joins comparisons with ";" (character ${next + 1}); send REST-Framework-Version 2 for "and"`,
      );
    at = next + join[0].length;
  }
}

function holds(actual: Value | null, { operator, value }: Comparison): boolean {
  if (actual === null) return false;
  const order = actual < value ? -1 : actual > value ? 1 : 0;
  switch (operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

/** The batches `q` selects (all of them without one); a 400 for an expression the emulator does not take. */
export function batchFilter(q: string | null, frameworkVersion: number): (batch: StoredBatch) => boolean {
  if (q === null || q.trim() === '') return () => true;
  const comparisons = parse(q, frameworkVersion);
  return (batch) => comparisons.every((comparison) => holds(ATTRIBUTES[comparison.attribute]!.of(batch), comparison));
}

/** `orderBy=JeBatchId[:asc|:desc]` (or none: the pod's order, which is JeBatchId's here). */
export function batchOrder(orderBy: string | null): (a: StoredBatch, b: StoredBatch) => number {
  if (orderBy === null || orderBy === '') return (a, b) => a.id - b.id;
  const match = /^(JeBatchId|BatchName)(?::(asc|desc))?$/.exec(orderBy);
  if (!match)
    throw badRequest(
      `The orderBy "${orderBy.slice(0, 100)}" isn't supported; use JeBatchId or BatchName, :asc or :desc.`,
    );
  const sign = match[2] === 'desc' ? -1 : 1;
  return match[1] === 'BatchName'
    ? (a, b) => sign * (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id)
    : (a, b) => sign * (a.id - b.id);
}

/** The REST-Framework-Version a request asks for: 1 unless the header names another whole number. */
export function frameworkVersionOf(header: string | string[] | undefined): number {
  const text = Array.isArray(header) ? header[0] : header;
  return text !== undefined && /^[1-9]$/.test(text.trim()) ? Number(text.trim()) : 1;
}
