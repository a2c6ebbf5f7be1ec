import type { ErrorObject } from 'ajv/dist/2020.js';
import { uniqueFieldErrors, type FieldError } from '../../platform/errors.js';
import { escapePointerToken } from '../../platform/json-pointer.js';
import { CATALOG_SCHEMA } from './catalog-schema.js';
import { SECRET_NAME_PATTERN } from './posting-schema.js';

// Ajv's errors for the catalog schema as field errors that say what to write instead. The schema is ours
// and fixed, so messages can be specific to each of its patterns and alternatives.

const { $defs } = CATALOG_SCHEMA;
const KEY_PATTERN = $defs.legalEntity.properties.code.pattern;

const DATE_TIME = 'must be an RFC 3339 date-time with a time zone, such as "2026-01-01T00:00:00Z"';

const PATTERN_MESSAGES: ReadonlyMap<string, string> = new Map([
  [
    KEY_PATTERN,
    'must be a key: a letter or digit, then letters, digits, ".", "_", ":", "@" or "-" (at most 200 characters)',
  ],
  [$defs.currency.pattern, 'must be a three-letter ISO 4217 currency code such as "USD"'],
  [
    SECRET_NAME_PATTERN,
    'must be the name of a secret, not a secret: an upper-case letter, then upper-case letters, digits or "_" (read from MB_SECRET_<NAME> or the secrets file)',
  ],
  [$defs.dateTime.pattern, DATE_TIME],
  [$defs.lateMaterialityThreshold.pattern, 'must be an amount as a decimal string, 0 or more, such as "5.00"'],
  [
    $defs.dataPath.pattern,
    'must be a dot path into the event\'s data: segments of letters, digits, "_" or "-" joined by "." (such as "usage.input_tokens")',
  ],
]);

const FORBIDDEN_SEGMENT = 'must not use "__proto__", "constructor" or "prototype" as a segment';
const DECIMAL_TYPE =
  'must be a decimal string such as "0.002" (quote it, a number would be read as a float) or an object of price fields';
// Ajv names schema paths from the referenced definition (the charge), not from the root.
const PRICE_TYPE_PATH = '#/properties/prices/additionalProperties/type';
const FILTER_CONDITION = 'must be a string, number, boolean or null, or { in: [...] } listing at least one of them';
const FILTER_SCALAR_DEF = '#/$defs/filterScalar/';

export function schemaFieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const alternatives = errors.filter((error) => error.keyword === 'anyOf');
  const fields = errors
    // `if` only says its `else` failed, and a failed `propertyNames` repeats its subschema's errors (which name the property).
    .filter((error) => error.keyword !== 'if' && error.keyword !== 'propertyNames')
    .filter((error) => !alternatives.some((alternative) => isBranchOf(error, alternative)))
    .map(describe);
  return uniqueFieldErrors(fields);
}

/** The filter condition's anyOf is the schema's only one: its branch errors are replaced by one message. */
function isBranchOf(error: ErrorObject, alternative: ErrorObject): boolean {
  if (error === alternative) return false;
  const samePlace =
    error.instancePath === alternative.instancePath || error.instancePath.startsWith(`${alternative.instancePath}/`);
  return (
    samePlace &&
    (error.schemaPath.startsWith(`${alternative.schemaPath}/`) || error.schemaPath.startsWith(FILTER_SCALAR_DEF))
  );
}

function describe(error: ErrorObject): FieldError {
  const params: Record<string, unknown> = error.params;
  const at = error.instancePath;
  const child = (name: unknown): string => `${at}/${escapePointerToken(String(name))}`;
  // Errors from a propertyNames subschema are about the property's name, not its value.
  const path = typeof error.propertyName === 'string' ? child(error.propertyName) : at;
  switch (error.keyword) {
    case 'required':
      return {
        path: child(params.missingProperty),
        message: error.schemaPath.includes('/else/') ? 'is required unless aggregation is "count"' : 'is required',
      };
    case 'additionalProperties':
      return { path: child(params.additionalProperty), message: 'is not allowed' };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'enum':
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`,
      };
    case 'type':
      if (error.schemaPath === PRICE_TYPE_PATH) return { path, message: DECIMAL_TYPE };
      return { path, message: `must be ${[params.type].flat().join(' or ')}` };
    case 'pattern':
      return { path, message: PATTERN_MESSAGES.get(String(params.pattern)) ?? error.message ?? 'is invalid' };
    case 'not':
      return { path, message: FORBIDDEN_SEGMENT };
    case 'format':
      return { path, message: params.format === 'date-time' ? DATE_TIME : (error.message ?? 'is invalid') };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'uniqueItems': {
      // Ajv's order of i and j depends on how it compared the items; the later one is the repeat.
      const [first, repeat] = [Number(params.i), Number(params.j)].sort((a, b) => a - b);
      return { path: child(repeat), message: `repeats ${child(first)}` };
    }
    case 'anyOf':
      return { path, message: FILTER_CONDITION };
  }
  return { path, message: error.message ?? 'is invalid' };
}
