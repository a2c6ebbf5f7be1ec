import { describe, expect, it } from 'vitest';
import { findHostileContent } from './hostile-content.js';

describe('findHostileContent', () => {
  it('finds nothing in ordinary event content', () => {
    expect(findHostileContent({ id: 'a', data: { tokens: 1.5, tags: ['x', { y: null }], ok: true } })).toEqual([]);
  });

  it('names every forbidden key with its JSON Pointer, escaping ~ and /', () => {
    const value = JSON.parse(
      '{"__proto__": {}, "data": {"a/b": {"constructor": 1}, "list": [{"prototype": 2}]}, "x~y": {"__proto__": 3}}',
    );
    expect(findHostileContent(value)).toEqual([
      { path: '/__proto__', message: 'key "__proto__" is not allowed' },
      { path: '/data/a~1b/constructor', message: 'key "constructor" is not allowed' },
      { path: '/data/list/0/prototype', message: 'key "prototype" is not allowed' },
      { path: '/x~0y/__proto__', message: 'key "__proto__" is not allowed' },
    ]);
  });

  it('refuses numbers JSON.parse could only represent as Infinity, in objects and arrays', () => {
    const value = JSON.parse('{"data": {"n": 1e999, "m": -1e999, "list": [1, 1e400]}}');
    expect(findHostileContent(value)).toEqual([
      { path: '/data/n', message: 'is a number too large to represent' },
      { path: '/data/m', message: 'is a number too large to represent' },
      { path: '/data/list/1', message: 'is a number too large to represent' },
    ]);
  });

  it('refuses NUL characters and lone surrogates in values and keys, which PostgreSQL cannot store as sent', () => {
    const value = JSON.parse('{"id": "order-\\ud800", "data": {"note": "a\\u0000b", "k\\u0000": 1}}');
    expect(findHostileContent(value)).toEqual([
      { path: '/id', message: expect.stringMatching(/lone UTF-16 surrogate/) },
      { path: '/data/note', message: expect.stringMatching(/U\+0000/) },
      {
        path: '/data/k\u0000',
        message: expect.stringMatching(/^the key "k\\u0000" must not contain the character U\+0000/),
      },
    ]);
  });

  it('refuses nesting past 64 levels from the event, anywhere (data, id, specversion), without recursing', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    for (const attribute of ['data', 'id', 'specversion']) {
      const errors = findHostileContent(JSON.parse(`{"${attribute}": ${deep}}`));
      expect(errors).toEqual([
        { path: `/${attribute}${'/0'.repeat(63)}`, message: 'nests deeper than 64 levels of objects and arrays' },
      ]);
    }
  });
});
