import type { FieldError } from '../../platform/errors.js';
import { findHostileJson } from '../../platform/hostile-json.js';

// Keys that turn into prototype pollution the moment any consumer merges the object into another.
// Refused anywhere in an event rather than stripped, so what we store is exactly what was sent.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Everything in a parsed event that cannot be stored as sent, each with its path: forbidden keys, NUL
 * characters and lone surrogates (in values and keys), unrepresentable numbers, and nesting past
 * MAX_JSON_DEPTH (counted from the event object). Iterative, so it is safe to run first on any event.
 */
export function findHostileContent(value: unknown): FieldError[] {
  return findHostileJson(value, { forbiddenKeys: FORBIDDEN });
}
