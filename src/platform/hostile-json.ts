import type { FieldError } from './errors.js';
import { walkJson } from './json-walk.js';

// What no JSON document we accept may hold, whatever route or file it comes from. PostgreSQL's text and
// jsonb cannot store U+0000 (the insert fails), a lone UTF-16 surrogate is no Unicode character (jsonb
// refuses it, and text turns it into U+FFFD, so two different ids would become one), JSON.parse turns
// 1e999 into Infinity (stored as null), and nesting past a limit is how a body overflows the stack of
// whatever walks it next. Each is refused with the path of the value, never repaired.

/** The deepest nesting of objects and arrays a document may have; the outermost object or array is level 1. */
export const MAX_JSON_DEPTH = 64;

export const NUL_MESSAGE = 'must not contain the character U+0000 (NUL), which cannot be stored';
export const SURROGATE_MESSAGE =
  'must not contain a lone UTF-16 surrogate (such as \\ud800), which is no Unicode character';

// Node 20 has String.prototype.isWellFormed (V8 11); the ES2023 library this project compiles against does not declare it.
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Why a string cannot be stored as it was sent, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return NUL_MESSAGE;
  if (!isWellFormed(text)) return SURROGATE_MESSAGE;
  return undefined;
}

/** `__proto__` anywhere, and `prototype` inside `constructor`: what turns a merge into prototype pollution. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__']);

interface HostileJsonOptions {
  /** Keys refused wherever they appear (besides `constructor.prototype`, always refused). */
  forbiddenKeys?: ReadonlySet<string>;
  base?: string;
  maxDepth?: number;
}

/** Every value and key of `value` that cannot be stored as sent, each with its JSON Pointer. */
export function findHostileJson(value: unknown, options: HostileJsonOptions = {}): FieldError[] {
  const forbidden = options.forbiddenKeys ?? PROTOTYPE_KEYS;
  return walkJson(
    value,
    {
      text: textProblem,
      key: (key, parentKey) => {
        if (forbidden.has(key) || (key === 'prototype' && parentKey === 'constructor'))
          return `key "${key}" is not allowed`;
        const problem = textProblem(key);
        return problem === undefined ? undefined : `the key ${JSON.stringify(key)} ${problem}`;
      },
      // JSON.parse turns 1e999 into Infinity, which jsonb would store as null: refuse instead of losing it.
      number: (number) => (Number.isFinite(number) ? undefined : 'is a number too large to represent'),
    },
    { maxDepth: options.maxDepth ?? MAX_JSON_DEPTH, base: options.base },
  );
}
