import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { badRequest, BcError } from './bc-error.js';
import type { EntitySpec, FieldSpec } from './entity-specs.js';

// One stored entity of any entity set: its fields by name as the spec lists them (decimals as exact
// decimal text, so sums are exact), a version behind its `@odata.etag`, and the entity it belongs to
// (the journal of a journal line, the document of a sales line). Bodies are read against the spec the
// way BC's OData layer reads them: an unknown property, a read-only control, a value of the wrong type
// or too long for its field are each refused with BC's code and wording.

export type Value = string | number | boolean;
export type Values = Record<string, Value>;

export interface StoredEntity {
  id: string;
  values: Values;
  version: number;
  /** The journal of a journal line, the document of a sales line. */
  parentId?: string;
}

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
export const NO_DATE = '0001-01-01';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DECIMAL = /^-?\d{1,20}(\.\d{1,20})?$/;

/** A GUID made from a name: the chart's accounts, customers and items keep their ids across restarts. */
export function stableGuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const isGuid = (text: string): boolean => GUID.test(text);

function defaultOf(field: FieldSpec): Value {
  switch (field.type) {
    case 'guid':
      return ZERO_GUID;
    case 'integer':
      return 0;
    case 'decimal':
      return '0';
    case 'date':
      return NO_DATE;
    case 'datetime':
      return '0001-01-01T00:00:00Z';
    case 'boolean':
      return false;
    case 'option':
      return field.options?.[0] ?? ' ';
    default:
      return '';
  }
}

/** Every field of the spec at its blank value (BC answers every field, set or not). */
export function blankValues(spec: EntitySpec): Values {
  return Object.fromEntries(spec.fields.map((field) => [field.name, defaultOf(field)]));
}

export const decimalOf = (values: Values, name: string): Decimal => new Decimal(String(values[name] ?? '0'));
export const textOf = (values: Values, name: string): string => String(values[name] ?? '');

/** A weak etag that changes with every write of the entity. */
export const etagOf = (entity: StoredEntity): string =>
  `W/"${Buffer.from(`'${entity.version};${entity.id.replace(/-/g, '').slice(0, 12)};'`).toString('base64')}"`;

/** The entity as BC answers it: the etag, then every field in the page's order, decimals as numbers. */
export function renderEntity(
  spec: EntitySpec,
  entity: StoredEntity,
  select?: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': etagOf(entity) };
  for (const field of spec.fields) {
    if (select !== undefined && !select.includes(field.name)) continue;
    const value = entity.values[field.name] ?? defaultOf(field);
    out[field.name] = field.type === 'decimal' ? Number(value) : value;
  }
  return out;
}

const cannotConvert = (value: unknown, type: string) =>
  badRequest(
    `Cannot convert the literal '${typeof value === 'string' ? value : JSON.stringify(value)}' to the expected type '${type}'.`,
  );

function validDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** A value of the body converted to the field's type, or BC's refusal of it. */
export function readField(spec: EntitySpec, field: FieldSpec, value: unknown): Value {
  switch (field.type) {
    case 'guid':
      if (typeof value !== 'string' || !GUID.test(value)) throw cannotConvert(value, 'Edm.Guid');
      return value.toLowerCase();
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > 2_147_483_647)
        throw cannotConvert(value, 'Edm.Int32');
      return value;
    case 'decimal': {
      // A number (already checked to carry its digits exactly) or decimal text (IEEE754Compatible).
      const text = typeof value === 'number' && Number.isFinite(value) ? new Decimal(value).toFixed() : value;
      if (typeof text !== 'string' || !DECIMAL.test(text)) throw cannotConvert(value, 'Edm.Decimal');
      return new Decimal(text).toFixed();
    }
    case 'date':
      if (typeof value !== 'string' || !validDate(value)) throw cannotConvert(value, 'Edm.Date');
      return value;
    case 'datetime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
        throw cannotConvert(value, 'Edm.DateTimeOffset');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw cannotConvert(value, 'Edm.Boolean');
      return value;
    case 'option':
      if (typeof value !== 'string' || !field.options?.includes(value))
        throw cannotConvert(
          value,
          `Microsoft.NAV.${spec.entityName}${field.name[0]!.toUpperCase()}${field.name.slice(1)}`,
        );
      return value;
    default: {
      if (typeof value !== 'string') throw cannotConvert(value, 'Edm.String');
      const max = field.maxLength ?? 250;
      if (value.length > max)
        throw new BcError(
          400,
          'Application_StringExceededLength',
          `The length of the string is ${value.length}, but it must be less than or equal to ${max} characters. Value: ${value}`,
        );
      // Code fields hold upper case, as BC stores them.
      return field.type === 'code' ? value.toUpperCase() : value;
    }
  }
}

/**
 * The fields a POST or PATCH body sets, converted; OData annotations (`@odata.etag`, ...) are ignored, an
 * unknown property or a read-only field refused. A navigation property (a deep insert) is not emulated.
 */
export function readBody(spec: EntitySpec, body: unknown): Values {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Invalid Request Body');
  const values: Values = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key.startsWith('@odata.') || key.startsWith('@')) continue;
    const field = spec.fields.find((one) => one.name === key);
    if (field === undefined)
      throw badRequest(
        spec.parts.includes(key)
          ? `The navigation property '${key}' cannot be written by the emulator (deep insert is not emulated).`
          : `The property '${key}' does not exist on type 'Microsoft.NAV.${spec.entityName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    if (!field.editable) throw badRequest(`Control '${key}' is read-only.`, 'BadRequest_InvalidOperation');
    if (value === null) continue;
    values[key] = readField(spec, field, value);
  }
  return values;
}

/** Rounds half away from zero to `places`, as BC's Round with precision 0.01 (or 0.00001) does. */
export const roundTo = (value: Decimal, places: number): Decimal =>
  value.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
