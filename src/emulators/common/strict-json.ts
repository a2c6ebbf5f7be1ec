import { findHostileJson } from '../../platform/hostile-json.js';
import { findInexactNumbers } from '../../platform/json-numbers.js';
import { decodeUtf8 } from '../../platform/utf8.js';
import { findDuplicateKey } from './find-duplicate-key.js';

// What NetSuite's and Business Central's emulators accept as a JSON body, checked in one order so that
// both refuse the same bodies for the same first reason: empty, not UTF-8, not JSON, hostile (NUL, lone
// surrogates, nesting past 64 levels), a key given twice (JSON.parse would keep the last), a number JSON
// cannot carry exactly. How the refusal reads is the vendor's.

export type JsonProblem =
  | { kind: 'empty' }
  | { kind: 'notUtf8' }
  | { kind: 'syntax'; message: string }
  | { kind: 'hostile' | 'inexact'; path: string; message: string }
  | { kind: 'duplicate'; path: string };

/** The body's value, or its first problem (paths are JSON Pointers). */
export function parseStrictJson(bytes: Buffer): { value: unknown } | { problem: JsonProblem } {
  if (bytes.length === 0) return { problem: { kind: 'empty' } };
  const text = decodeUtf8(bytes);
  if (text === undefined) return { problem: { kind: 'notUtf8' } };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: { kind: 'syntax', message: error instanceof Error ? error.message : String(error) } };
  }
  const [hostile] = findHostileJson(value);
  if (hostile !== undefined) return { problem: { kind: 'hostile', path: hostile.path, message: hostile.message } };
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) return { problem: { kind: 'duplicate', path: duplicate } };
  const [inexact] = findInexactNumbers(text);
  if (inexact !== undefined) return { problem: { kind: 'inexact', path: inexact.path, message: inexact.message } };
  return { value };
}
