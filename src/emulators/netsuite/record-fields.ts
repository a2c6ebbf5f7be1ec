import { Decimal } from 'decimal.js';
import { invalidContent } from './netsuite-error.js';

// Readers of one field of a posted record, each refusing a bad value as NetSuite does: 400
// INVALID_CONTENT with the field's `o:errorPath`. Shared by the header and the sublist validators.

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** NetSuite's external ids: letters, digits, `_` and `-` (a `|` is read as a multi-select delimiter). */
export const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,255}$/;

export function optionalText(body: JsonObject, key: string, path: string, max = 4000): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max)
    throw invalidContent(`The field ${path} must be text of at most ${max} characters.`, path);
  return value;
}

/**
 * A reference `{ "id": "58" }` (NetSuite accepts the id as text or a number) that must name one of
 * `known`: an unknown id is NetSuite's "Invalid Field Value" at the reference's path.
 */
export function reference(body: JsonObject, key: string, path: string, known: readonly string[]): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidContent(`The field ${path} must be a reference such as {"id": "1"}.`, path);
  const id = typeof value.id === 'number' && Number.isInteger(value.id) ? String(value.id) : value.id;
  if (typeof id !== 'string' || !/^\d{1,18}$/.test(id))
    throw invalidContent(`The field ${path}.id must be an internal id.`, `${path}.id`);
  if (!known.includes(id))
    throw invalidContent(`You have entered an Invalid Field Value ${id} for the following field: ${key}`, path);
  return id;
}

export function requiredReference(body: JsonObject, key: string, path: string, known: readonly string[]): string {
  const id = reference(body, key, path, known);
  if (id === undefined) throw invalidContent(`Please enter value(s) for: ${key}`, path);
  return id;
}

/**
 * An amount or quantity: a JSON number (already known to carry its digits exactly) or decimal text,
 * read as a Decimal so sums are exact. Quantities stay below 1e10, as working integrations keep them.
 */
export function decimal(body: JsonObject, key: string, path: string): Decimal | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !/^-?\d{1,10}(\.\d{1,8})?$/.test(text))
    throw invalidContent(`The field ${path} must be a number below 1e10 with at most 8 decimals.`, path);
  return new Decimal(text);
}

/** A transaction date, YYYY-MM-DD, that exists on the calendar. */
export function date(body: JsonObject, key: string, path: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const valid =
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
  if (!valid) throw invalidContent(`The field ${path} must be a date such as 2026-10-31.`, path);
  return value;
}

/** Fields a body may carry beyond the known ones: NetSuite's custom body and column fields. */
const CUSTOM_FIELD = /^cust(body|col)[a-z0-9_]*$/;

/** Refuses a field the record type does not have, so a misspelled field is not silently dropped. */
export function refuseUnknownFields(body: JsonObject, known: ReadonlySet<string>, base: string): void {
  for (const key of Object.keys(body)) {
    if (known.has(key) || CUSTOM_FIELD.test(key)) continue;
    const path = base === '' ? key : `${base}.${key}`;
    throw invalidContent(`Invalid field name ${key} on this record.`, path);
  }
}
