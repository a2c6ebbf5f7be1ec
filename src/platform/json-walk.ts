import type { FieldError } from './errors.js';
import { escapePointerToken } from './json-pointer.js';

// A walk over a parsed JSON value that cannot overflow the stack: an explicit stack of frames instead
// of recursion, and a depth limit checked before it descends. Every check of a whole document (hostile
// content, decimal precision) is a visitor of this one walk, so none of them recurses on hostile input.

/** What a visitor says about one string, key or number: a message to report at its path, or nothing. */
interface JsonVisitor {
  text?(value: string): string | undefined;
  /** An object key; reported at the path of the member it names (its value is then not walked). */
  key?(key: string, parentKey: string | undefined): string | undefined;
  number?(value: number): string | undefined;
}

interface JsonWalkOptions {
  /** Containers deeper than this are reported and not entered; the root container is level 1. */
  maxDepth: number;
  /** Prefix of every reported path (a JSON Pointer), such as "/charge". */
  base?: string;
  /** Stops after this many problems: enough to fix a document, too few to amplify a hostile one. */
  maxProblems?: number;
}

interface Frame {
  container: object;
  /** Own keys of an object; undefined for an array. */
  keys: string[] | undefined;
  next: number;
  size: number;
  parent: Frame | undefined;
  /** This container's key in its parent (undefined for the root). */
  key: string | undefined;
  depth: number;
}

const DEFAULT_MAX_PROBLEMS = 20;

function pointerOf(frame: Frame | undefined, key: string | undefined, base: string): string {
  const tokens: string[] = key === undefined ? [] : [escapePointerToken(key)];
  for (let at = frame; at?.key !== undefined; at = at.parent) tokens.push(escapePointerToken(at.key));
  return tokens.length === 0 ? base : `${base}/${tokens.reverse().join('/')}`;
}

function frameOf(container: object, parent: Frame | undefined, key: string | undefined, depth: number): Frame {
  const keys = Array.isArray(container) ? undefined : Object.keys(container);
  return { container, keys, next: 0, size: keys ? keys.length : (container as unknown[]).length, parent, key, depth };
}

/**
 * Every problem the visitor finds in `root`, in document order, each at its JSON Pointer; plus one
 * "nests deeper than" problem at each container past `maxDepth`.
 */
export function walkJson(root: unknown, visitor: JsonVisitor, options: JsonWalkOptions): FieldError[] {
  const { maxDepth, base = '', maxProblems = DEFAULT_MAX_PROBLEMS } = options;
  const found: FieldError[] = [];
  const visit = (parent: Frame | undefined, key: string | undefined, value: unknown, stack: Frame[]): void => {
    let problem: string | undefined;
    if (typeof value === 'string') problem = visitor.text?.(value);
    else if (typeof value === 'number') problem = visitor.number?.(value);
    else if (value !== null && typeof value === 'object') {
      const depth = (parent?.depth ?? 0) + 1;
      if (depth > maxDepth) problem = `nests deeper than ${maxDepth} levels of objects and arrays`;
      else stack.push(frameOf(value, parent, key, depth));
    }
    if (problem !== undefined) found.push({ path: pointerOf(parent, key, base), message: problem });
  };

  const stack: Frame[] = [];
  visit(undefined, undefined, root, stack);
  while (stack.length > 0 && found.length < maxProblems) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next >= frame.size) {
      stack.pop();
      continue;
    }
    const index = frame.next++;
    if (frame.keys === undefined) {
      visit(frame, String(index), (frame.container as unknown[])[index], stack);
      continue;
    }
    const key = frame.keys[index] as string;
    const keyProblem = visitor.key?.(key, frame.key);
    if (keyProblem !== undefined) found.push({ path: pointerOf(frame, key, base), message: keyProblem });
    else visit(frame, key, (frame.container as Record<string, unknown>)[key], stack);
  }
  return found.slice(0, maxProblems);
}
