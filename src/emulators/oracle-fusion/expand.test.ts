import { describe, expect, it } from 'vitest';
import { EXPANDED_LIMIT, expandedChild, readExpand, type Expansion } from './expand.js';
import { OracleError } from './oracle-error.js';

// The REST framework's `expand` as the emulator reads it: all, comma-separated children, a nested child
// expanding its parent; Oracle's 400 for anything else; and an expanded child's shape per framework version.

/** An expansion as plain nested objects, to compare. */
const plain = (expansion: Expansion): Record<string, unknown> =>
  Object.fromEntries([...expansion].map(([name, below]) => [name, plain(below)]));

function refusal(read: () => unknown): OracleError {
  try {
    read();
  } catch (error) {
    if (error instanceof OracleError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the Oracle Fusion emulator’s expand parameter', () => {
  it('reads all, a list of children and nested children, a nested one implying its parent', () => {
    expect(plain(readExpand(null, 'journalBatches'))).toEqual({});
    expect(plain(readExpand('', 'journalBatches'))).toEqual({});
    expect(plain(readExpand('all', 'journalBatches'))).toEqual({ journalHeaders: {} });
    expect(plain(readExpand('journalHeaders', 'journalBatches'))).toEqual({ journalHeaders: {} });
    const nested = { journalHeaders: { journalLines: {} } };
    expect(plain(readExpand('journalHeaders.journalLines', 'journalBatches'))).toEqual(nested);
    expect(plain(readExpand('journalHeaders,journalHeaders.journalLines', 'journalBatches'))).toEqual(nested);
    expect(plain(readExpand('journalHeaders.journalLines,all', 'journalBatches'))).toEqual(nested);
    expect(plain(readExpand('all', 'journalHeaders'))).toEqual({ journalLines: {} });
    expect(plain(readExpand('all', 'journalLines'))).toEqual({});
  });

  it('refuses an unknown child, an empty name, control characters, lone surrogates and overlong values with a 400', () => {
    for (const [value, resource] of [
      ['journalErrors', 'journalBatches'],
      ['journalLines', 'journalBatches'],
      ['journalHeaders.journalHeaders', 'journalBatches'],
      ['journalHeaders.', 'journalBatches'],
      ['.journalHeaders', 'journalBatches'],
      ['journalHeaders,,journalHeaders', 'journalBatches'],
      ['ALL', 'journalBatches'],
      ['journalLineDFF', 'journalLines'],
      ['journal\u0000Headers', 'journalBatches'],
      ['journalHeaders\n', 'journalBatches'],
      ['\ud800', 'journalBatches'],
      ['journalHeaders.\udc00journalLines', 'journalBatches'],
      ['constructor', 'journalBatches'],
      ['__proto__', 'journalHeaders'],
      [Array.from({ length: 100 }, () => 'journalHeaders').join(','), 'journalBatches'],
    ] as const) {
      const refused = refusal(() => readExpand(value, resource));
      expect(refused.status, JSON.stringify(value).slice(0, 60)).toBe(400);
      expect(refused.code).toBe('27023');
      expect(refused.detail.length).toBeLessThan(400);
    }
  });

  it('shapes an expanded child as an array up to framework version 2 and as a collection from 3, cut at its limit', () => {
    const item = (index: number) => ({ n: index });
    expect(expandedChild(2, item, 'http://pod/x', 'journalLines', 1)).toEqual([{ n: 0 }, { n: 1 }]);
    expect(expandedChild(2, item, 'http://pod/x', 'journalLines', 3)).toEqual({
      items: [{ n: 0 }, { n: 1 }],
      count: 2,
      hasMore: false,
      limit: EXPANDED_LIMIT,
      offset: 0,
      links: [{ rel: 'self', href: 'http://pod/x', name: 'journalLines', kind: 'collection' }],
    });
    expect(expandedChild(40, item, 'http://pod/x', 'journalLines', 2)).toHaveLength(EXPANDED_LIMIT);
    expect(expandedChild(40, item, 'http://pod/x', 'journalLines', 4)).toMatchObject({
      count: EXPANDED_LIMIT,
      hasMore: true,
    });
  });
});
