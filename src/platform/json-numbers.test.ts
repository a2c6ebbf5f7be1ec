import { describe, expect, it } from 'vitest';
import { findInexactNumbers } from './json-numbers.js';

describe('findInexactNumbers', () => {
  it('passes every number JSON.parse keeps as written', () => {
    expect(
      findInexactNumbers(
        '{"a": 0.1, "b": 3.141592653589793, "c": 9007199254740991, "d": -0, "e": 1e308, "f": 1.5e-300, "g": 123456789012345}',
      ),
    ).toEqual([]);
    expect(findInexactNumbers('{"id": "12345678901234567890", "t": "1e-400"}')).toEqual([]);
  });

  it('names each number JSON.parse would change with its path and what it would become', () => {
    const text =
      '{"data": {"tokens": 12345678901234567890, "a/b": [1, 0.10000000000000000001]}, "tiny": 1e-400, "big": 9007199254740993}';
    expect(findInexactNumbers(text)).toEqual([
      {
        path: '/data/tokens',
        message:
          'is the number 12345678901234567890, which JSON cannot carry exactly (it would be stored as 12345678901234567000); send it as a decimal string such as "12345678901234567890"',
      },
      { path: '/data/a~1b/1', message: expect.stringContaining('stored as 0.1)') },
      { path: '/tiny', message: expect.stringContaining('stored as 0)') },
      { path: '/big', message: expect.stringContaining('stored as 9007199254740992)') },
    ]);
  });

  it('keeps track of keys with escaped quotes and of array positions at the top level', () => {
    expect(findInexactNumbers('[{"k\\"x": "\\\\", "n": 1}, 12345678901234567890]')).toEqual([
      { path: '/1', message: expect.stringContaining('12345678901234567890') },
    ]);
    expect(findInexactNumbers('{"\\"": {"x": 12345678901234567891}}', '/body')).toEqual([
      { path: '/body/"/x', message: expect.any(String) },
    ]);
  });

  it('leaves Infinity to the hostile-content check', () => {
    expect(findInexactNumbers('[1e999]')).toEqual([]);
  });
});
