import type { FieldError } from '../../platform/errors.js';

// Keys that turn into prototype pollution the moment any consumer merges the object into another.
// Refused anywhere in an event rather than stripped, so what we store is exactly what was sent.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function findForbiddenKeys(value: unknown, path = '', found: FieldError[] = []): FieldError[] {
  if (value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    value.forEach((item, index) => findForbiddenKeys(item, `${path}/${index}`, found));
    return found;
  }
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    // Paths are only built where needed: this walk runs over every key of every event.
    if (FORBIDDEN.has(key)) found.push({ path: `${path}/${escapePointer(key)}`, message: `key "${key}" is not allowed` });
    else if (child !== null && typeof child === 'object') findForbiddenKeys(child, `${path}/${escapePointer(key)}`, found);
  }
  return found;
}
