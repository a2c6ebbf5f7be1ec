import { unescapePointerToken } from '../../platform/json-pointer.js';

/** A JSON Pointer (`/line/items/0/account`) as NetSuite writes `o:errorPath` (`line.items[0].account`). */
export function toErrorPath(pointer: string): string | undefined {
  if (pointer === '') return undefined;
  let path = '';
  for (const token of pointer.slice(1).split('/')) {
    const key = unescapePointerToken(token);
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  return path;
}
