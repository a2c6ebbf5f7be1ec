import { escapePointerToken } from '../../platform/json-pointer.js';

// JSON.parse keeps the last of two equal keys and says nothing, so `{"debit": 1, "debit": 100}` would
// post 100. NetSuite's parser refuses such a body; this finds the first repeated key in JSON text that
// is already known to parse and to nest no deeper than the hostile-input limit. Iterative: one pass,
// an explicit stack of the keys seen per open object.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function stringEnd(text: string, start: number): number {
  let at = start + 1;
  while (text.charCodeAt(at) !== QUOTE) at += text.charCodeAt(at) === BACKSLASH ? 2 : 1;
  return at + 1;
}

interface Level {
  /** Keys seen so far in an object; undefined for an array. */
  keys: Set<string> | undefined;
  /** The member or index being read, as a pointer token. */
  token: string;
  index: number;
}

/** The JSON Pointer of the first key repeated within one object, or undefined. */
export function findDuplicateKey(text: string): string | undefined {
  const levels: Level[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (c === '{' || c === '[') {
      levels.push({ keys: c === '{' ? new Set() : undefined, token: '0', index: 0 });
      expectKey = c === '{';
      i += 1;
    } else if (c === '}' || c === ']') {
      levels.pop();
      i += 1;
    } else if (c === ',') {
      const top = levels[levels.length - 1];
      if (top !== undefined && top.keys === undefined) top.token = String((top.index += 1));
      expectKey = top?.keys !== undefined;
      i += 1;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      const top = levels[levels.length - 1];
      if (expectKey && top?.keys !== undefined) {
        const key: unknown = JSON.parse(text.slice(i, end));
        const name = String(key);
        top.token = escapePointerToken(name);
        if (top.keys.has(name)) return '/' + levels.map((level) => level.token).join('/');
        top.keys.add(name);
      }
      expectKey = false;
      i = end;
    } else {
      i += 1;
    }
  }
  return undefined;
}
