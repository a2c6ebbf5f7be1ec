import type { FieldError } from '../../platform/errors.js';
import { escapePointerToken } from '../../platform/json-pointer.js';
import type { AjvInstance } from './schema-dialects.js';
import { toFieldErrors } from './validation-errors.js';

// Checks on a schema document before Ajv compiles it: what would harm us, and what the meta-schema
// allows but we refuse, each reported with its exact path.

export const MAX_SCHEMA_BYTES = 256 * 1024;
// Far deeper than any real event schema, and shallow enough that walking a hostile one cannot overflow the stack.
export const MAX_SCHEMA_DEPTH = 64;

export type SchemaObject = Record<string, unknown>;

export function isSchemaObject(value: unknown): value is SchemaObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---- The document as a whole: shape, size, depth, forbidden keys. Runs before Ajv sees anything.

export function checkDocument(schema: unknown): FieldError[] {
  if (!isSchemaObject(schema)) return [{ path: '', message: 'must be a JSON Schema object' }];
  const errors = findHostileKeys(schema, '', 0, []);
  if (errors.length > 0) return errors;
  let text: string | undefined;
  try {
    text = JSON.stringify(schema);
  } catch {
    text = undefined;
  }
  if (text === undefined) return [{ path: '', message: 'must be a JSON document' }];
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SCHEMA_BYTES) {
    return [{ path: '', message: `is ${bytes} bytes serialized; a schema may be at most ${MAX_SCHEMA_BYTES} bytes` }];
  }
  return [];
}

// Also catches cycles (they exceed the depth) before JSON.stringify would throw on them.
function findHostileKeys(value: unknown, path: string, depth: number, found: FieldError[]): FieldError[] {
  if (value === null || typeof value !== 'object') return found;
  if (depth >= MAX_SCHEMA_DEPTH) {
    found.push({ path, message: `nests deeper than ${MAX_SCHEMA_DEPTH} levels` });
    return found;
  }
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    const childPath = `${path}/${escapePointerToken(key)}`;
    if (key === '__proto__') found.push({ path: childPath, message: 'key "__proto__" is not allowed' });
    else findHostileKeys(child, childPath, depth + 1, found);
  }
  return found;
}

export function checkTopLevelType(root: SchemaObject): FieldError[] {
  if (root.type === undefined || root.type === 'object') return [];
  return [{ path: '/type', message: `must be "object": an event's data is always a JSON object, got ${JSON.stringify(root.type)}` }];
}

// ---- Schema-aware walk: what the meta-schema allows but we refuse, reported with exact paths.

/** A local `$ref` (or dynamic/recursive ref) and where it stands, to place "cannot be resolved" errors. */
export interface Reference {
  path: string;
  ref: string;
}

export interface Inspection {
  errors: FieldError[];
  references: Reference[];
}

const SUBSCHEMA_KEYWORDS = new Set([
  'additionalItems', 'additionalProperties', 'contains', 'else', 'if', 'items', 'not',
  'propertyNames', 'then', 'unevaluatedItems', 'unevaluatedProperties',
]);
const SUBSCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'items', 'oneOf', 'prefixItems']);
const SUBSCHEMA_MAP_KEYWORDS = new Set(['$defs', 'definitions', 'dependencies', 'dependentSchemas', 'patternProperties', 'properties']);
const REFERENCE_KEYWORDS = new Set(['$dynamicRef', '$recursiveRef', '$ref']);
// Keywords Ajv accepts that are not JSON Schema. `$async` is the dangerous one: it makes the validator
// return a Promise, which is truthy, so every event would pass.
const AJV_ONLY_KEYWORDS = new Set(['$async', 'id', 'nullable']);
// Ajv ignores these without their partner and says so without saying where; we say where.
const PARTNER_KEYWORDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['if', ['then', 'else']],
  ['then', ['if']],
  ['else', ['if']],
  ['minContains', ['contains']],
  ['maxContains', ['contains']],
]);

/** `ajv` is the dialect's meta-validator: it knows which keywords and formats the dialect has. */
export function inspectSchema(root: SchemaObject, ajv: AjvInstance): Inspection {
  const inspection: Inspection = { errors: [], references: [] };
  inspectSubschema(root, '', ajv, inspection);
  return inspection;
}

function inspectSubschema(schema: SchemaObject, path: string, ajv: AjvInstance, inspection: Inspection): void {
  for (const [keyword, value] of Object.entries(schema)) {
    const at = `${path}/${escapePointerToken(keyword)}`;
    // Own properties only: Ajv's own check reads `keywords[key]`, so `"constructor": 1` slips through it.
    if (!Object.hasOwn(ajv.RULES.keywords, keyword)) {
      inspection.errors.push({ path: at, message: `unknown keyword "${keyword}": strict mode refuses keywords it cannot check` });
      continue;
    }
    if (AJV_ONLY_KEYWORDS.has(keyword)) {
      inspection.errors.push({ path: at, message: `"${keyword}" is an Ajv extension, not JSON Schema` });
      continue;
    }
    const partners = PARTNER_KEYWORDS.get(keyword);
    if (partners !== undefined && !partners.some((partner) => Object.hasOwn(schema, partner))) {
      inspection.errors.push({ path: at, message: `has no effect without ${partners.map((partner) => `"${partner}"`).join(' or ')}` });
    }
    if (REFERENCE_KEYWORDS.has(keyword) && typeof value === 'string') {
      if (value.startsWith('#')) inspection.references.push({ path: at, ref: value });
      else inspection.errors.push({ path: at, message: `remote reference "${value}" is not allowed; use a local one such as "#/$defs/name"` });
    }
    if (keyword === 'pattern' && typeof value === 'string') checkPattern(value, at, inspection.errors);
    if (keyword === 'format' && typeof value === 'string' && !Object.hasOwn(ajv.formats, value)) {
      inspection.errors.push({ path: at, message: `unknown format "${value}"` });
    }
    if (keyword === 'patternProperties' && isSchemaObject(value)) {
      for (const pattern of Object.keys(value)) checkPattern(pattern, `${at}/${escapePointerToken(pattern)}`, inspection.errors);
    }
    for (const [childPath, child] of subschemasOf(keyword, value, at)) inspectSubschema(child, childPath, ajv, inspection);
  }
}

function subschemasOf(keyword: string, value: unknown, at: string): Array<[string, SchemaObject]> {
  if (SUBSCHEMA_KEYWORDS.has(keyword) && isSchemaObject(value)) return [[at, value]];
  const entries: Array<[string, unknown]> = [];
  if (SUBSCHEMA_LIST_KEYWORDS.has(keyword) && Array.isArray(value)) {
    value.forEach((item, index) => entries.push([`${at}/${index}`, item]));
  } else if (SUBSCHEMA_MAP_KEYWORDS.has(keyword) && isSchemaObject(value)) {
    for (const [name, item] of Object.entries(value)) entries.push([`${at}/${escapePointerToken(name)}`, item]);
  }
  return entries.filter((entry): entry is [string, SchemaObject] => isSchemaObject(entry[1]));
}

function checkPattern(pattern: string, path: string, errors: FieldError[]): void {
  try {
    // The flag Ajv compiles patterns with, so what passes here compiles there.
    new RegExp(pattern, 'u');
  } catch (error) {
    // A string pattern can only fail to parse, and that throws a SyntaxError.
    errors.push({ path, message: `is not a valid regular expression: ${(error as SyntaxError).message}` });
  }
}

export function metaSchemaErrors(ajv: AjvInstance, root: SchemaObject): FieldError[] {
  if (ajv.validateSchema(root) === true) return [];
  return toFieldErrors(ajv.errors ?? [], '');
}
