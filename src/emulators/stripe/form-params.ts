import { textProblem } from '../../platform/hostile-json.js';
import { invalidRequest } from './stripe-error.js';

// Stripe's v1 parameters, form-encoded (a POST body) or in the query (a GET), with bracket notation:
// `period[start]=1`, `metadata[order]=7`, `expand[]=x` or `expand[0]=x`. They are read into a tree of
// plain text (every leaf is the text sent: Stripe parses numbers and booleans per parameter), with no
// prototype, so `__proto__` is only ever a refused name. A tree also has a canonical text, the same for
// the same parameters in any order: what an idempotency key's parameters are compared by.

export type Param = string | ParamObject | Param[];
export interface ParamObject {
  [name: string]: Param;
}

const MAX_DEPTH = 8;
const MAX_PARAMS = 2000;

export const isParamObject = (value: Param | undefined): value is ParamObject =>
  value !== undefined && typeof value === 'object' && !Array.isArray(value);

const newObject = (): ParamObject => Object.create(null) as ParamObject;

/** `a[b][]` as ['a', 'b', '']; undefined when the brackets are not well formed. */
function splitName(name: string): string[] | undefined {
  const open = name.indexOf('[');
  if (open === -1) return [name];
  const parts = [name.slice(0, open)];
  const rest = name.slice(open);
  const pattern = /\[([^[\]]*)\]/y;
  let at = 0;
  while (at < rest.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(rest);
    if (match === null) return undefined;
    parts.push(match[1]!);
    at = pattern.lastIndex;
  }
  return parts;
}

function conflict(name: string): Error {
  return invalidRequest(`Invalid parameter: ${name} is given more than once or as both a value and a hash.`, {
    code: 'parameter_invalid_string',
    param: name,
  });
}

function place(root: ParamObject, name: string, parts: string[], value: string): void {
  let container: ParamObject | Param[] = root;
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index]!;
    const last = index === parts.length - 1;
    const nextIsAppend = !last && parts[index + 1] === '';
    if (Array.isArray(container)) {
      if (part !== '') throw conflict(name);
      if (last) container.push(value);
      else {
        const child: ParamObject | Param[] = nextIsAppend ? [] : newObject();
        container.push(child);
        container = child;
      }
      continue;
    }
    if (part === '' || part === '__proto__') throw conflict(name);
    const existing: Param | undefined = container[part];
    if (last) {
      if (existing !== undefined) throw conflict(name);
      container[part] = value;
    } else if (existing === undefined) {
      const child: ParamObject | Param[] = nextIsAppend ? [] : newObject();
      container[part] = child;
      container = child;
    } else if (typeof existing === 'string' || Array.isArray(existing) !== nextIsAppend) {
      throw conflict(name);
    } else {
      container = existing;
    }
  }
}

/**
 * Refuses percent-escapes that decode to no UTF-8 text (`%ED%A0%80`, a lone surrogate's bytes; `%FF`),
 * which URLSearchParams would quietly turn into U+FFFD: two different values would then read as one. A
 * `%` that starts no escape is left to URLSearchParams, which keeps it as it is.
 */
function checkEscapes(text: string): void {
  for (const pair of text.split('&')) {
    try {
      decodeURIComponent(pair.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
    } catch {
      const name = pair.split('=')[0]!.slice(0, 100);
      throw invalidRequest(`Invalid value for ${name}: its percent-escapes are not UTF-8 text.`, {
        code: 'parameter_invalid_string',
      });
    }
  }
}

/** The parameters of a form body or query string; throws a 400 in Stripe's shape naming the first problem. */
export function parseParams(text: string): ParamObject {
  checkEscapes(text);
  const root = newObject();
  const pairs = new URLSearchParams(text);
  let count = 0;
  for (const [name, value] of pairs) {
    count += 1;
    if (count > MAX_PARAMS) throw invalidRequest(`A request may carry at most ${MAX_PARAMS} parameters.`);
    const parts = splitName(name);
    if (parts === undefined || parts[0] === '' || parts.length > MAX_DEPTH)
      throw invalidRequest(`Invalid parameter name: ${name}`, { code: 'parameter_unknown', param: name });
    const problem = textProblem(name) ?? textProblem(value);
    if (problem !== undefined) throw invalidRequest(`Invalid value for ${name}: it ${problem}.`, { param: name });
    place(root, name, parts, value);
  }
  return root;
}

/** The same text for the same parameters whatever their order: keys sorted, arrays in order. */
export function canonicalParams(value: Param): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalParams).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalParams(value[key]!)}`).join(',')}}`;
}

/** A plain (prototype-carrying) copy, for JSON answers and logs. */
export function toPlain(value: Param): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, toPlain(child)]));
}
