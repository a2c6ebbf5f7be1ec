import { describe, expect, it } from 'vitest';
import { scanJson, scanPointer } from './json-scan.js';

describe('scanJson', () => {
  it('reports keys and numbers in document order, each with its pointer, escaped keys and strings included', () => {
    const seen: string[] = [];
    scanJson('{"a/b": [1, {"c~d": -2.5e3, "s": "x\\"1,2]"}], "n": 7}', {
      key: (levels, source) => void seen.push(`key ${source} at ${scanPointer(levels)}`),
      number: (levels, token) => void seen.push(`number ${token} at ${scanPointer(levels, '/body')}`),
    });
    expect(seen).toEqual([
      'key "a/b" at /a~1b',
      'number 1 at /body/a~1b/0',
      'key "c~d" at /a~1b/1/c~0d',
      'number -2.5e3 at /body/a~1b/1/c~0d',
      'key "s" at /a~1b/1/s',
      'key "n" at /n',
      'number 7 at /body/n',
    ]);
  });

  it('stops as soon as a callback says so', () => {
    const numbers: string[] = [];
    scanJson('[1, 2, 3]', { number: (_, token) => numbers.push(token) === 2 });
    expect(numbers).toEqual(['1', '2']);
  });
});
