import type { FilterCondition } from '../catalog/index.js';

/**
 * Reading an event's data the way meters declare it: dot paths, filters, and values. Values come
 * as the JSON text PostgreSQL keeps for them (jsonb numbers are numeric), so a quantity is read
 * exactly — never through a JavaScript float.
 */

/** The value at a dot path of parsed data; undefined when any segment is missing. Own properties only. */
export function valueAtPath(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function conditionHolds(actual: unknown, condition: FilterCondition): boolean {
  if (condition !== null && typeof condition === 'object') return condition.in.some((allowed) => actual === allowed);
  return actual === condition;
}

/** Whether every condition holds; a missing property equals nothing (not even null). */
export function matchesFilter(data: unknown, filter: Record<string, FilterCondition> | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([path, condition]) => {
    const actual = valueAtPath(data, path);
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
    return DECIMAL.test(text) ? decimal(text, jsonText) : { kind: 'other', json: jsonText, why: 'is a string that is not a decimal number' };
  }
  if (DECIMAL.test(jsonText)) return decimal(jsonText, jsonText);
  const kind = jsonText.startsWith('{') ? 'an object' : jsonText.startsWith('[') ? 'an array' : `${jsonText}`;
  return { kind: 'other', json: jsonText, why: `is ${kind}, not a number` };
}

/** The group-by values of an event: each path's value, null when missing. */
export function dimensionsOf(data: unknown, groupBy: readonly string[] | undefined): Record<string, unknown> {
  const dimensions: Record<string, unknown> = {};
  for (const path of groupBy ?? []) dimensions[path] = valueAtPath(data, path) ?? null;
  return dimensions;
}
