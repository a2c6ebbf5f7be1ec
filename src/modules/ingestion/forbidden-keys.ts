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
    const child = `${path}/${escapePointer(key)}`;
    if (FORBIDDEN.has(key)) found.push({ path: child, message: `key "${key}" is not allowed` });
    else findForbiddenKeys((value as Record<string, unknown>)[key], child, found);
  }
  return found;
}

/** Cheap pre-check on raw text so that the full walk runs only for the rare event that needs it. */
export function mayContainForbiddenKeys(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('prototype');
}
