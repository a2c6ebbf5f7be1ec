import { Decimal } from 'decimal.js';
import { satisfies, type ComparisonOperator } from '../common/odata-comparison.js';
import { badRequest } from './bc-error.js';
import type { EntitySpec, FieldSpec, FieldType } from './entity-specs.js';
import { isGuid, renderEntity, type StoredEntity } from './entity-values.js';

// The OData query options the emulator reads: `$filter` with comparisons (`eq`, `ne`, `gt`, `ge`, `lt`,
// `le`) joined by `and` / `or` (no parentheses, `and` binding tighter; `or` over one field only, as BC's
// OData takes it), `$select`, `$expand` (of the entity's parts, without options of their own), `$orderby`
// (one field), `$top`, `$skip`, and the `$skiptoken` of its own next links. Literals are OData v4's: 'text' (a quote
// doubled inside), numbers, true / false, bare GUIDs and dates. Anything else is refused as BC's OData
// layer refuses it, so a client cannot come to rely on a query the real service would not answer.

type Literal = string | number | boolean;
interface Comparison {
  field: string;
  operator: ComparisonOperator;
  value: Literal;
}
/** Alternatives (or) of conjunctions (and). */
export type Filter = Comparison[][];

export interface Query {
  filter: Filter;
  select?: string[];
  /** Parts of the entity answered inside it (`$expand=salesInvoiceLines`). */
  expand: string[];
  orderBy?: { field: string; descending: boolean };
  top?: number;
  skip: number;
}

const SYNTAX = () => badRequest('Bad Request - Error in query syntax.', 'BadRequest_NotFound');
const TOKEN =
  /\s*('(?:[^']|'')*'|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z_][A-Za-z0-9_]*|\d{4}-\d{2}-\d{2}|-?\d+(?:\.\d+)?)\s*/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null || TOKEN.lastIndex === start) throw SYNTAX();
    tokens.push(match[1]!);
  }
  return tokens;
}

type EdmType = 'Edm.String' | 'Edm.Boolean' | 'Edm.Guid' | 'Edm.Date' | 'Edm.Int32' | 'Edm.Decimal';

function literal(token: string): { value: Literal; type: EdmType } {
  if (token.startsWith("'")) return { value: token.slice(1, -1).replace(/''/g, "'"), type: 'Edm.String' };
  if (token === 'true' || token === 'false') return { value: token === 'true', type: 'Edm.Boolean' };
  if (isGuid(token)) return { value: token.toLowerCase(), type: 'Edm.Guid' };
  if (/^\d{4}-\d{2}-\d{2}$/.test(token)) {
    // A date that is no day of the calendar (2026-13-45) is no literal of Edm.Date.
    const time = Date.parse(`${token}T00:00:00Z`);
    if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== token) throw SYNTAX();
    return { value: token, type: 'Edm.Date' };
  }
  if (/^-?\d{1,28}$/.test(token)) return { value: Number(token), type: 'Edm.Int32' };
  if (/^-?\d{1,28}\.\d{1,28}$/.test(token)) return { value: Number(token), type: 'Edm.Decimal' };
  throw SYNTAX();
}

/** The literal types a field of each type compares with; a datetime field takes none the emulator reads. */
const COMPARABLE: Record<FieldType, readonly EdmType[]> = {
  guid: ['Edm.Guid'],
  text: ['Edm.String'],
  code: ['Edm.String'],
  option: ['Edm.String'],
  integer: ['Edm.Int32', 'Edm.Decimal'],
  decimal: ['Edm.Int32', 'Edm.Decimal'],
  date: ['Edm.Date'],
  datetime: [],
  boolean: ['Edm.Boolean'],
};
const FIELD_EDM: Record<FieldType, string> = {
  guid: 'Edm.Guid',
  text: 'Edm.String',
  code: 'Edm.String',
  option: 'Edm.String',
  integer: 'Edm.Int32',
  decimal: 'Edm.Decimal',
  date: 'Edm.Date',
  datetime: 'Edm.DateTimeOffset',
  boolean: 'Edm.Boolean',
};

/** OData's names of the operators, as its type errors say them. */
const OPERATOR_KINDS: Record<string, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};

/** A comparison's literal, checked against its field as OData's type checking and BC's field lengths do. */
function comparedValue(field: FieldSpec, operator: string, token: string): Literal {
  const { value, type } = literal(token);
  if (!COMPARABLE[field.type].includes(type))
    throw badRequest(
      `A binary operator with incompatible types was detected. Found operand types '${FIELD_EDM[field.type]}' and '${type}' for operator kind '${OPERATOR_KINDS[operator]}'.`,
    );
  if (typeof value === 'string' && field.maxLength !== undefined && value.length > field.maxLength)
    throw badRequest(
      `The length of the string is ${value.length}, but it must be less than or equal to ${field.maxLength} characters.`,
      'Application_StringExceededLength',
    );
  return value;
}

export function parseFilter(text: string, spec: EntitySpec): Filter {
  const tokens = tokenize(text);
  const filter: Filter = [[]];
  for (let at = 0; at < tokens.length;) {
    const [field, operator, value] = [tokens[at], tokens[at + 1], tokens[at + 2]];
    if (field === undefined || operator === undefined || value === undefined) throw SYNTAX();
    const fieldSpec = spec.fields.find((one) => one.name === field);
    if (fieldSpec === undefined)
      throw badRequest(`Could not find a property named '${field}' on type 'Microsoft.NAV.${spec.entityName}'.`);
    if (!['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(operator)) throw SYNTAX();
    filter.at(-1)!.push({
      field,
      operator: operator as ComparisonOperator,
      value: comparedValue(fieldSpec, operator, value),
    });
    at += 3;
    const joiner = tokens[at];
    if (joiner === undefined) break;
    if (joiner === 'or') filter.push([]);
    else if (joiner !== 'and') throw SYNTAX();
    at += 1;
    if (at >= tokens.length) throw SYNTAX();
  }
  if (filter.length > 1 && new Set(filter.flat().map((one) => one.field)).size > 1)
    throw badRequest(
      "An error occurred while processing this request. The 'OR' operator is not supported on distinct fields on an OData filter.",
    );
  return filter[0]!.length === 0 ? [] : filter;
}

function compare(actual: unknown, comparison: Comparison): boolean {
  const { operator, value } = comparison;
  let order: number;
  if (typeof value === 'number' && (typeof actual === 'number' || typeof actual === 'string')) {
    order = new Decimal(String(actual)).comparedTo(value);
  } else if (typeof value === 'string' && typeof actual === 'string') {
    // Code fields are stored in upper case; BC compares their filters the same way.
    order = actual === value ? 0 : actual < value ? -1 : 1;
  } else {
    order = actual === value ? 0 : Number.NaN;
  }
  return satisfies(order, operator);
}

export function matches(entity: StoredEntity, filter: Filter): boolean {
  return filter.length === 0 || filter.some((all) => all.every((one) => compare(entity.values[one.field], one)));
}

/** Whether the filter constrains a field (a journal list filtered on its template lists every template). */
export const filtersOn = (filter: Filter, field: string): boolean =>
  filter.some((all) => all.some((one) => one.field === field));

const KNOWN_OPTIONS = new Set(['$filter', '$select', '$expand', '$orderby', '$top', '$skip', '$skiptoken', '$format']);

/** `$expand`'s navigation properties: the entity's parts, by name; options inside them are not emulated. */
function parseExpand(text: string, spec: EntitySpec): string[] {
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (/^[A-Za-z][A-Za-z0-9]*\(.*\)$/s.test(name))
      throw badRequest(`Options inside $expand ('${name}') are not emulated.`, 'BadRequest_MethodNotImplemented');
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw SYNTAX();
    if (!spec.parts.includes(name))
      throw badRequest(`Could not find a property named '${name}' on type 'Microsoft.NAV.${spec.entityName}'.`);
  }
  return [...new Set(names)];
}

function count(value: string, name: string): number {
  if (!/^\d{1,9}$/.test(value)) throw badRequest(`Invalid value '${value}' for $${name} query option found.`);
  return Number(value);
}

export function parseQuery(params: URLSearchParams, spec: EntitySpec): Query {
  for (const key of params.keys())
    if (key.startsWith('$') && !KNOWN_OPTIONS.has(key))
      throw badRequest(`The query parameter '${key}' is not supported.`, 'BadRequest_MethodNotImplemented');
  const query: Query = { filter: [], expand: [], skip: 0 };
  const filter = params.get('$filter');
  if (filter !== null && filter.trim() !== '') query.filter = parseFilter(filter, spec);
  const select = params.get('$select');
  if (select !== null) {
    query.select = select.split(',').map((name) => name.trim());
    for (const name of query.select)
      if (!spec.fields.some((field) => field.name === name))
        throw badRequest(`Could not find a property named '${name}' on type 'Microsoft.NAV.${spec.entityName}'.`);
  }
  const expand = params.get('$expand');
  if (expand !== null) query.expand = parseExpand(expand, spec);
  const orderBy = params.get('$orderby');
  if (orderBy !== null) {
    const [field, direction = 'asc', extra] = orderBy.trim().split(/\s+/);
    if (field === undefined || extra !== undefined || !['asc', 'desc'].includes(direction)) throw SYNTAX();
    if (!spec.fields.some((one) => one.name === field))
      throw badRequest(`Could not find a property named '${field}' on type 'Microsoft.NAV.${spec.entityName}'.`);
    query.orderBy = { field, descending: direction === 'desc' };
  }
  const top = params.get('$top');
  if (top !== null) query.top = count(top, 'top');
  const skip = params.get('$skip') ?? params.get('$skiptoken');
  if (skip !== null) query.skip = count(skip, 'skip');
  return query;
}

/**
 * A page of the entities the query selects, rendered, and the next link when more remain past the
 * server's page size (BC's server-driven paging).
 */
export function queryPage(
  entities: readonly StoredEntity[],
  query: Query,
  spec: EntitySpec,
  pageSize: number,
  nextUrl: (skip: number, top: number | undefined) => string,
  /** The expanded parts of an entity, rendered, merged into it. */
  expanded: (entity: StoredEntity) => Record<string, unknown> = () => ({}),
): { value: Array<Record<string, unknown>>; nextLink?: string } {
  let selected = entities.filter((entity) => matches(entity, query.filter));
  if (query.orderBy !== undefined) {
    const { field, descending } = query.orderBy;
    selected = [...selected].sort((a, b) => {
      const [x, y] = [a.values[field], b.values[field]];
      const order =
        typeof x === 'number' ||
        (typeof x === 'string' && spec.fields.find((one) => one.name === field)?.type === 'decimal')
          ? new Decimal(String(x)).comparedTo(String(y))
          : String(x) < String(y)
            ? -1
            : String(x) > String(y)
              ? 1
              : 0;
      return descending ? -order : order;
    });
  }
  const end = query.top === undefined ? selected.length : Math.min(selected.length, query.skip + query.top);
  const pageEnd = Math.min(end, query.skip + pageSize);
  const value = selected
    .slice(query.skip, pageEnd)
    .map((entity) => ({ ...renderEntity(spec, entity, query.select), ...expanded(entity) }));
  if (pageEnd >= end) return { value };
  return { value, nextLink: nextUrl(pageEnd, query.top === undefined ? undefined : end - pageEnd) };
}
