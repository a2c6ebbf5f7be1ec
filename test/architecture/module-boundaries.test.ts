import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE's dependency rules, checked on the source: `cli | http | workers -> modules -> platform`;
// a module is entered only through its index.ts; and no file reaches itself through a chain of imports,
// type-only ones included: a circle of types is still two files that cannot be understood one at a time.

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** The files a source file imports or re-exports, relative to src/, as .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom '(\.[^']+)'/gms)].map((match) =>
    relative(SRC, resolve(dirname(join(SRC, file)), match[1]!)).replace(/\.js$/, '.ts'),
  );
}

const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter(
  (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
);
const graph = new Map(sources.map((file) => [file, importsOf(file)]));
const layer = (file: string) => file.split('/')[0]!;
const moduleOf = (file: string) => (layer(file) === 'modules' ? file.split('/')[1] : undefined);

describe('module boundaries', () => {
  it('reads the imports of every source file', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(graph.get('modules/billing/service.ts')?.includes('modules/catalog/index.ts')).toBe(true);
  });

  it('enters another module only through its index.ts', () => {
    const deep: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const own = moduleOf(file);
        const theirs = moduleOf(target);
        if (own !== undefined && theirs !== undefined && own !== theirs && target !== `modules/${theirs}/index.ts`)
          deep.push(`${file} imports ${target}`);
      }
    }
    expect(deep).toEqual([]);
  });

  it('keeps modules below http, cli and workers, and platform below every module', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        const from = layer(file);
        const to = layer(target);
        if (from === 'modules' && ['http', 'cli', 'workers'].includes(to)) upward.push(`${file} imports ${target}`);
        if (from === 'platform' && to !== 'platform') upward.push(`${file} imports ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      path.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target].join(' -> '));
        else if (!state.has(target)) visit(target);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
