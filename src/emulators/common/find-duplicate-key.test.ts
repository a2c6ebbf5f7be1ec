import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from './find-duplicate-key.js';

describe('findDuplicateKey', () => {
  it('finds a repeated key with its pointer, however it is escaped, and nothing in distinct objects', () => {
    expect(findDuplicateKey('{"a":1,"b":{"c":[{"d":1},{"d":2,"d":3}]}}')).toBe('/b/c/1/d');
    expect(findDuplicateKey('{"debit":1,"\\u0064ebit":2}')).toBe('/debit');
    expect(findDuplicateKey('{"a":{"x":1},"b":{"x":1},"c":"a,\\"a\\":"}')).toBeUndefined();
    expect(findDuplicateKey('[1,"a",{"a":1}]')).toBeUndefined();
  });
});
