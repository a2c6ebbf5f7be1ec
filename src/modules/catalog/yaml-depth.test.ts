import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';
import { yamlTooDeepAt } from './yaml-depth.js';

/** The nesting of a parsed value: what the token count must agree with. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** The least limit the text stays within, as the lexer counts it. */
function countedDepth(text: string): number {
  let limit = 0;
  while (yamlTooDeepAt(text, limit) !== undefined) limit += 1;
  return limit;
}

describe('yamlTooDeepAt', () => {
  it.each([
    ['a: 1\n'],
    ['a:\n  b:\n    c: 1\n'],
    ['- - - x\n'],
    ['a:\n- x\n- - y\n  - z\nb: 2\n'],
    ['? - x\n: - y\n'],
    ['a: [1, [2, {b: [3]}]]\n'],
    ['a: |\n  [[[[ {{\n  x\nb:\n  c: 1\n'],
    ['a:\n  - b: 1\n    c:\n      - d\n'],
    ['x: "multi\n  line [["\ny:\n  z: 1\n'],
    ['a: [1,\n  [2,\n   3]]\nb: {c: {d: 1}}\n'],
    ['- a: 1\n  b:\n  - c\n'],
    ['# [[[[\na: &x\n  b: 1\nc: *x\n'],
  ])('counts %j as deep as it parses', (text) => {
    expect(countedDepth(text)).toBe(depthOf(parse(text)));
  });

  it('counts the reference catalog exactly', () => {
    expect(countedDepth(referenceCatalogYaml())).toBe(depthOf(parse(referenceCatalogYaml())));
  });

  it('stops at the line where flow, block, compact or explicit-key nesting passes the limit, whatever follows', () => {
    expect(yamlTooDeepAt(`a: 1\nb: ${'['.repeat(500_000)}`, 64)).toBe(2);
    expect(yamlTooDeepAt(`${'- '.repeat(100)}x\n`, 64)).toBe(1);
    expect(yamlTooDeepAt(`${'? '.repeat(5_000)}x\n`, 64)).toBe(1);
    const block = Array.from({ length: 100 }, (_, level) => `${' '.repeat(level)}k:`).join('\n');
    expect(yamlTooDeepAt(block, 64)).toBe(65);
    expect(yamlTooDeepAt(block, 100)).toBeUndefined();
  });
});
