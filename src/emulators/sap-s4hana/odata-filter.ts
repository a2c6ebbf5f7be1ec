import { satisfies, type ComparisonOperator } from '../common/odata-comparison.js';

// The subset of OData v2's $filter the emulator evaluates: comparisons of a property with a string,
// number or `datetime'YYYY-MM-DDThh:mm[:ss[.fffffff]]'` literal (`eq ne gt ge lt le`), joined by `and` /
// `or`, grouped by parentheses, `not` before a group. Strings compare as text, as SAP compares CHAR
// fields; string literals quote with '' for '. A DateTime property takes only a datetime literal, and a
// datetime literal only a DateTime property, as SAP Gateway refuses a comparison of mismatched types.
// Anything else is refused with the position where it stopped, never guessed.

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

/** What a property holds, as far as the filter needs to know: a DateTime compares only with a datetime. */
export type PropertyKind = 'text' | 'datetime';

export type Filter =
  | { kind: 'compare'; property: string; op: ComparisonOperator; value: string; literal: LiteralKind }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter };

type LiteralKind = 'string' | 'number' | 'datetime';

interface Token {
  type: 'word' | LiteralKind | '(' | ')';
  text: string;
  at: number;
}

const MAX_LENGTH = 4000;
const MAX_DEPTH = 32;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < source.length) {
    const char = source[at] ?? '';
    if (/\s/.test(char)) {
      at += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ type: char, text: char, at });
      at += 1;
    } else if (char === "'" || source.startsWith("datetime'", at)) {
      const datetime = char !== "'";
      const open = datetime ? at + 'datetime'.length : at;
      let text = '';
      let end = open + 1;
      for (;;) {
        if (end >= source.length) throw new FilterError(`the string starting at position ${at} is not closed`);
        if (source[end] === "'") {
          if (source[end + 1] === "'") {
            text += "'";
            end += 2;
            continue;
          }
          break;
        }
        text += source[end];
        end += 1;
      }
      if (datetime && !isDateTime(text))
        throw new FilterError(`datetime'${text}' at position ${at} is not a date and time (YYYY-MM-DDThh:mm[:ss])`);
      tokens.push({ type: datetime ? 'datetime' : 'string', text, at });
      at = end + 1;
    } else {
      const match = /^(-?\d+(\.\d+)?[mMdDfFlL]?|[A-Za-z_][A-Za-z0-9_/.]*)/.exec(source.slice(at));
      if (!match) throw new FilterError(`unexpected ${JSON.stringify(char)} at position ${at}`);
      const text = match[0];
      const number = /^-?\d/.test(text);
      // A number may end in OData's type suffix (10m, 2.5d); a word keeps every letter.
      tokens.push({ type: number ? 'number' : 'word', text: number ? text.replace(/[mMdDfFlL]$/, '') : text, at });
      at += text.length;
    }
  }
  return tokens;
}

/**
 * Characters no filter of the service's fields holds, refused rather than compared: controls (NUL
 * included), U+FFFD (what decoding makes of a query's bytes that are not UTF-8) and lone surrogates.
 */
// eslint-disable-next-line no-control-regex
const UNREADABLE = /[\u0000-\u001F\u007F\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,7})?)?$/;

/** Whether the text is an OData v2 datetime literal's body naming a real instant (no zone: UTC). */
function isDateTime(text: string): boolean {
  const match = DATETIME.exec(text);
  if (!match) return false;
  const [, year, month, day, hour, minute, , second] = match;
  const at = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === `${year}-${month}-${day}`;
}

/** An instant in ms from a datetime literal's body or a DateTime property's `YYYY-MM-DD`. */
const instantOf = (text: string) => Date.parse(text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`);

/**
 * The parsed filter; a FilterError for anything outside the subset, a property `kindOf` does not know
 * (undefined), or a literal of another type than its property's.
 */
export function parseFilter(source: string, kindOf: (property: string) => PropertyKind | undefined): Filter {
  if (source.length > MAX_LENGTH) throw new FilterError(`the filter is longer than ${MAX_LENGTH} characters`);
  const unreadable = UNREADABLE.exec(source);
  if (unreadable)
    throw new FilterError(
      `the character U+${(unreadable[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} at position ${unreadable.index} is not allowed`,
    );
  const tokens = tokenize(source);
  let position = 0;
  const peek = () => tokens[position];
  const describe = (token: Token | undefined) =>
    token ? `${JSON.stringify(token.text)} at position ${token.at}` : 'the end';

  function orExpression(depth: number): Filter {
    let left = andExpression(depth);
    while (peek()?.type === 'word' && peek()?.text === 'or') {
      position += 1;
      left = { kind: 'or', left, right: andExpression(depth) };
    }
    return left;
  }
  function andExpression(depth: number): Filter {
    let left = unary(depth);
    while (peek()?.type === 'word' && peek()?.text === 'and') {
      position += 1;
      left = { kind: 'and', left, right: unary(depth) };
    }
    return left;
  }
  function unary(depth: number): Filter {
    if (depth > MAX_DEPTH) throw new FilterError(`the filter nests deeper than ${MAX_DEPTH}`);
    const token = peek();
    if (token?.type === 'word' && token.text === 'not') {
      position += 1;
      return { kind: 'not', filter: group(depth + 1) };
    }
    if (token?.type === '(') return group(depth + 1);
    return comparison();
  }
  function group(depth: number): Filter {
    if (peek()?.type !== '(') throw new FilterError(`expected ( but found ${describe(peek())}`);
    position += 1;
    const inner = orExpression(depth);
    if (peek()?.type !== ')') throw new FilterError(`expected ) but found ${describe(peek())}`);
    position += 1;
    return inner;
  }
  function comparison(): Filter {
    const property = peek();
    if (property?.type !== 'word') throw new FilterError(`expected a property but found ${describe(property)}`);
    const kind = kindOf(property.text);
    if (kind === undefined)
      throw new FilterError(`Property ${property.text} not found in type A_OperationalAcctgDocItemCubeType`);
    position += 1;
    const op = peek();
    if (op?.type !== 'word' || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op.text))
      throw new FilterError(`expected eq, ne, gt, ge, lt or le but found ${describe(op)}`);
    position += 1;
    const value = peek();
    if (value?.type !== 'string' && value?.type !== 'number' && value?.type !== 'datetime')
      throw new FilterError(`expected a string, number or datetime literal but found ${describe(value)}`);
    if ((kind === 'datetime') !== (value.type === 'datetime'))
      throw new FilterError(
        `Invalid parameter type at ${describe(value)}: ${property.text} takes ${kind === 'datetime' ? "a datetime'...' literal" : `no datetime literal`}`,
      );
    position += 1;
    return {
      kind: 'compare',
      property: property.text,
      op: op.text as ComparisonOperator,
      value: value.text,
      literal: value.type,
    };
  }

  const filter = orExpression(0);
  if (position < tokens.length) throw new FilterError(`unexpected ${describe(peek())}`);
  return filter;
}

/**
 * A number literal compares as a number (a Decimal property); a datetime as an instant (a DateTime
 * property); a string literal as text, as SAP's CHAR.
 */
function compare(actual: string, op: ComparisonOperator, expected: string, literal: LiteralKind): boolean {
  const numeric = literal === 'number' && /^-?\d+(\.\d+)?$/.test(actual);
  const order = numeric
    ? Math.sign(Number(actual) - Number(expected))
    : literal === 'datetime'
      ? Math.sign(instantOf(actual) - instantOf(expected))
      : actual < expected
        ? -1
        : actual > expected
          ? 1
          : 0;
  return satisfies(order, op);
}

/** Whether a row (property -> text) passes the filter. */
export function matches(filter: Filter, row: (property: string) => string): boolean {
  switch (filter.kind) {
    case 'compare':
      return compare(row(filter.property), filter.op, filter.value, filter.literal);
    case 'and':
      return matches(filter.left, row) && matches(filter.right, row);
    case 'or':
      return matches(filter.left, row) || matches(filter.right, row);
    case 'not':
      return !matches(filter.filter, row);
  }
}
