import { describe, expect, it } from 'vitest';
import { findHostileJson, MAX_JSON_DEPTH, NUL_MESSAGE, SURROGATE_MESSAGE, textProblem } from './hostile-json.js';
import { walkJson } from './json-walk.js';

const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

describe('textProblem', () => {
  it('refuses U+0000 and lone surrogates, and accepts paired surrogates (emoji)', () => {
    expect(textProblem('a\u0000b')).toBe(NUL_MESSAGE);
    expect(textProblem('order-\ud800')).toBe(SURROGATE_MESSAGE);
    expect(textProblem('\udbff')).toBe(SURROGATE_MESSAGE);
    expect(textProblem('\udc00x')).toBe(SURROGATE_MESSAGE);
    expect(textProblem('caf\u00e9 \ud83d\ude00')).toBeUndefined();
  });
});

describe('findHostileJson', () => {
  it('names every NUL and lone surrogate in values and keys with its JSON Pointer, in document order', () => {
    const value = JSON.parse('{"a": "x\\u0000", "list": [1, "\\ud800"], "k\\u0000": 1, "b/c": {"~": "\\udfff"}}');
    expect(findHostileJson(value)).toEqual([
      { path: '/a', message: NUL_MESSAGE },
      { path: '/list/1', message: SURROGATE_MESSAGE },
      { path: '/k\u0000', message: `the key "k\\u0000" ${NUL_MESSAGE}` },
      { path: '/b~1c/~0', message: SURROGATE_MESSAGE },
    ]);
  });

  it('checks a root string too, and prefixes paths with the base', () => {
    expect(findHostileJson('\u0000', { base: '/params/id' })).toEqual([{ path: '/params/id', message: NUL_MESSAGE }]);
    expect(findHostileJson({ id: '\u0000' }, { base: '/params' })).toEqual([
      { path: '/params/id', message: NUL_MESSAGE },
    ]);
  });

  it('refuses __proto__ and constructor.prototype by default, and the keys it is given', () => {
    const value = JSON.parse('{"__proto__": {}, "constructor": {"prototype": 1}, "x": {"constructor": 2}}');
    expect(findHostileJson(value)).toEqual([
      { path: '/__proto__', message: 'key "__proto__" is not allowed' },
      { path: '/constructor/prototype', message: 'key "prototype" is not allowed' },
    ]);
    expect(findHostileJson(value, { forbiddenKeys: new Set(['constructor']) })).toEqual([
      { path: '/constructor', message: 'key "constructor" is not allowed' },
      { path: '/x/constructor', message: 'key "constructor" is not allowed' },
    ]);
  });

  it('refuses Infinity (what JSON.parse makes of 1e999)', () => {
    expect(findHostileJson(JSON.parse('{"n": [1e999]}'))).toEqual([
      { path: '/n/0', message: 'is a number too large to represent' },
    ]);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses the next, at the path of the container past the limit`, () => {
    expect(findHostileJson(nested(MAX_JSON_DEPTH))).toEqual([]);
    expect(findHostileJson(nested(MAX_JSON_DEPTH + 1))).toEqual([
      {
        path: `/${Array.from({ length: MAX_JSON_DEPTH }, () => '0').join('/')}`,
        message: `nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays`,
      },
    ]);
  });

  it('walks 1,000,000 levels without overflowing the stack, and a wide document completely', () => {
    expect(findHostileJson(nested(1_000_000))).toHaveLength(1);
    const wide = Array.from({ length: 100_000 }, (_, i) => ({ i, tags: ['a', 'b'] }));
    expect(findHostileJson(wide)).toEqual([]);
  });

  it('stops after 20 problems, so a hostile document cannot make its answer huge', () => {
    expect(findHostileJson(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(20);
  });
});

describe('walkJson', () => {
  it('does not enter a container past the limit, even when a cycle would never end', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(walkJson(cycle, {}, { maxDepth: 3 })).toEqual([
      { path: '/self/self/self', message: 'nests deeper than 3 levels of objects and arrays' },
    ]);
  });
});
