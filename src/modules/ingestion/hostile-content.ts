import type { FieldError } from '../../platform/errors.js';
import { escapePointerToken } from '../../platform/json-pointer.js';

// Keys that turn into prototype pollution the moment any consumer merges the object into another.
// Refused anywhere in an event rather than stripped, so what we store is exactly what was sent.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function checkValue(value: unknown, path: string, found: FieldError[]): void {
  if (typeof value === 'number') {
    // JSON.parse turns 1e999 into Infinity, which jsonb would store as null: refuse instead of losing it.
    if (!Number.isFinite(value)) found.push({ path, message: 'is a number too large to represent' });
  } else if (value !== null && typeof value === 'object') {
    findHostileContent(value, path, found);
  }
}

/** Forbidden keys and unrepresentable numbers anywhere in a parsed JSON value, each with its path. */
export function findHostileContent(value: unknown, path = '', found: FieldError[] = []): FieldError[] {
  if (value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    value.forEach((item, index) => checkValue(item, `${path}/${index}`, found));
    return found;
  }
  for (const key of Object.keys(value)) {
    // Paths are only built where needed: this walk runs over every key of every event.
    const child = (value as Record<string, unknown>)[key];
    if (FORBIDDEN.has(key)) found.push({ path: `${path}/${escapePointerToken(key)}`, message: `key "${key}" is not allowed` });
    else if (typeof child === 'number' || (child !== null && typeof child === 'object')) checkValue(child, `${path}/${escapePointerToken(key)}`, found);
  }
  return found;
}
