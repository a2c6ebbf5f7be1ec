import { MAX_SIGNIFICANT_DIGITS, precisionMessage, significantDigits } from '../../platform/decimal-text.js';
import type { FilterCondition } from '../catalog/index.js';

/**
 * Reading an event's data the way meters declare it: dot paths, filters, and values. The database
 * picks each path a meter reads as JSON text (jsonb numbers are numeric), so a quantity is read
 * exactly — never through a JavaScript float — and the whole `data` object never crosses over.
 */

function conditionHolds(actual: unknown, condition: FilterCondition): boolean {
  if (condition !== null && typeof condition === 'object') return condition.in.some((allowed) => actual === allowed);
  return actual === condition;
}

/** Reads the event's data at a dot path: the value, or undefined when the path is missing. */
export type DataReader = (path: string) => unknown;

/** Whether every condition holds; a missing property equals nothing (not even null). */
export function matchesFilter(read: DataReader, filter: Record<string, FilterCondition> | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([path, condition]) => {
    const actual = read(path);
    return actual !== undefined && conditionHolds(actual, condition);
  });
}

// What PostgreSQL's numeric accepts, without NaN and Infinity.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Longer quantities are refused rather than risk a numeric overflow in the database. */
export const MAX_VALUE_TEXT = 200;

export type ValueReading =
  | { kind: 'missing' }
  | { kind: 'decimal'; text: string; negative: boolean; json: string }
  | { kind: 'other'; json: string; why: string };

function decimal(text: string, json: string): ValueReading {
  if (text.length > MAX_VALUE_TEXT) return { kind: 'other', json, why: `has more than ${MAX_VALUE_TEXT} characters` };
  const mantissa = text.split(/[eE]/)[0] as string;
  // More digits than pricing computes with would be rounded when billed: an exception, never a silent change.
  const digits = significantDigits(mantissa);
  if (digits > MAX_SIGNIFICANT_DIGITS) return { kind: 'other', json, why: precisionMessage(digits) };
  return { kind: 'decimal', text, negative: mantissa.startsWith('-') && /[1-9]/.test(mantissa), json };
}

/**
 * Reads the JSON text of a value (null when the path is missing): a JSON number, or a string holding
 * a decimal (producers that keep quantities exact send them as strings), is a decimal.
 */
export function readValue(jsonText: string | null): ValueReading {
  if (jsonText === null || jsonText === 'null') return { kind: 'missing' };
  if (jsonText.startsWith('"')) {
    const text = JSON.parse(jsonText) as string;
    return DECIMAL.test(text)
      ? decimal(text, jsonText)
      : { kind: 'other', json: jsonText, why: 'is a string that is not a decimal number' };
  }
  if (DECIMAL.test(jsonText)) return decimal(jsonText, jsonText);
  const kind = jsonText.startsWith('{') ? 'an object' : jsonText.startsWith('[') ? 'an array' : `${jsonText}`;
  return { kind: 'other', json: jsonText, why: `is ${kind}, not a number` };
}

/** The group-by values of an event: each path's value, null when missing. */
export function dimensionsOf(read: DataReader, groupBy: readonly string[] | undefined): Record<string, unknown> {
  const dimensions: Record<string, unknown> = {};
  for (const path of groupBy ?? []) dimensions[path] = read(path) ?? null;
  return dimensions;
}

/** A reader over the JSON texts the database picked for `paths` (null: the path is missing). */
export function pickedReader(paths: ReadonlyMap<string, number>, picked: readonly (string | null)[]): DataReader {
  const parsed = new Map<string, unknown>();
  return (path) => {
    if (parsed.has(path)) return parsed.get(path);
    const text = picked[paths.get(path) ?? -1];
    const value = text === null || text === undefined ? undefined : (JSON.parse(text) as unknown);
    parsed.set(path, value);
    return value;
  };
}
