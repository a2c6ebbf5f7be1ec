import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.js';
import { parseCatalogFile } from './catalog-file.js';
import { loadCatalog } from './load-catalog.js';
import { referenceCatalogYaml } from '../../../test/fixtures/reference-catalog.js';

function parseErrors(text: string, fileName: string): unknown[] {
  try {
    parseCatalogFile(text, fileName);
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('parseCatalogFile', () => {
  it('reads YAML and JSON of the same structure to the same document', () => {
    const fromYaml = parseCatalogFile(referenceCatalogYaml(), 'catalog.yaml');
    expect(parseCatalogFile(JSON.stringify(fromYaml, null, 2), 'catalog.json')).toEqual(fromYaml);
  });

  it('keeps YAML timestamps and quoted amounts as strings', () => {
    const document = parseCatalogFile('start: 2026-01-01T00:00:00Z\nprice: "0.10"\n', 'c.yml');
    expect(document).toEqual({ start: '2026-01-01T00:00:00Z', price: '0.10' });
  });

  it('refuses a YAML key repeated within one mapping, with its line and column', () => {
    const text = [
      'apiVersion: meterbridge/v1',
      'customers:',
      '  - key: acme',
      '    name: Acme',
      '    key: acme-2',
      '',
    ].join('\n');
    expect(parseErrors(text, 'catalog.yaml')).toEqual([
      { path: '', message: 'catalog.yaml:5:5: duplicate key: each key may appear once in a mapping' },
    ]);
  });

  it('refuses a JSON key repeated within one object, which JSON.parse would let pass', () => {
    const text = '{\n  "apiVersion": "meterbridge/v1",\n  "apiVersion": "meterbridge/v2"\n}\n';
    expect(parseErrors(text, 'catalog.json')).toEqual([
      { path: '', message: 'catalog.json:3:3: duplicate key: each key may appear once in a mapping' },
    ]);
  });

  it('holds a .json file to JSON syntax, with the line and column of the error', () => {
    const errors = parseErrors('{\n  "apiVersion": "meterbridge/v1",\n}\n', 'catalog.json') as {
      path: string;
      message: string;
    }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('');
    expect(errors[0]?.message).toMatch(/^catalog\.json:3:1: /);
  });

  it('reports every YAML syntax error together', () => {
    const errors = parseErrors('a: 1\na: 2\nb: [\n', 'broken.yaml') as { message: string }[];
    expect(errors.map((error) => error.message)).toEqual([
      'broken.yaml:2:1: duplicate key: each key may appear once in a mapping',
      'broken.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('refuses a file whose aliases expand without bound', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 8; level += 1) {
      lines.push(`a${level}: &a${level} [${Array.from({ length: 10 }, () => `*a${level - 1}`).join(', ')}]`);
    }
    const errors = parseErrors(lines.join('\n'), 'bomb.yaml') as { path: string; message: string }[];
    expect(errors).toEqual([
      { path: '', message: expect.stringMatching(/^bomb\.yaml: Excessive alias count/) as unknown as string },
    ]);
  });
});

describe('loadCatalog', () => {
  it('returns the catalog of a valid file', () => {
    expect(loadCatalog(referenceCatalogYaml(), 'catalog.yaml').customers.map((customer) => customer.key)).toEqual([
      'acme',
      'globex',
    ]);
  });

  it('refuses an invalid file whole, with every error', () => {
    const text =
      'apiVersion: meterbridge/v1\nmeters:\n  - key: api\n    eventType: e\n    aggregation: sum\n    unit: call\n    colour: red\n';
    expect(() => loadCatalog(text, 'catalog.yaml')).toThrow(ValidationError);
    try {
      loadCatalog(text, 'catalog.yaml');
    } catch (error) {
      expect((error as ValidationError).message).toBe('catalog.yaml is not a valid catalog');
      expect((error as ValidationError).errors).toEqual([
        { path: '/meters/0/valuePath', message: 'is required unless aggregation is "count"' },
        { path: '/meters/0/colour', message: 'is not allowed' },
      ]);
    }
  });

  it('refuses nesting past 64 levels before the yaml library builds anything, for YAML and JSON', () => {
    expect(
      parseErrors(`apiVersion: meterbridge/v1\nplans: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, 'catalog.yaml'),
    ).toEqual([{ path: '', message: 'catalog.yaml:2: nests deeper than 64 levels of mappings and sequences' }]);
    // Nested explicit keys cost the yaml library far more than linear time: 5,000 of them would take minutes.
    expect(parseErrors(`${'? '.repeat(5_000)}x\n`, 'catalog.yaml')).toEqual([
      { path: '', message: 'catalog.yaml:1: nests deeper than 64 levels of mappings and sequences' },
    ]);
    expect(parseErrors(`{"plans": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'catalog.json')).toEqual([
      { path: `/plans${'/0'.repeat(63)}`, message: 'nests deeper than 64 levels of objects and arrays' },
    ]);
  });

  it('refuses values that cannot be stored as sent, at their paths: NUL, lone surrogates, infinite and rounded numbers', () => {
    expect(parseErrors('customers:\n  - name: "a\\0b"\n    key: "\\ud800"\nx: .inf\n', 'catalog.yaml')).toEqual([
      { path: '/customers/0/name', message: expect.stringMatching(/U\+0000/) },
      { path: '/customers/0/key', message: expect.stringMatching(/lone UTF-16 surrogate/) },
      { path: '/x', message: 'is a number too large to represent' },
    ]);
    expect(parseErrors('{"subscriptions": [{"anchorDay": 12345678901234567890}]}', 'catalog.json')).toEqual([
      { path: '/subscriptions/0/anchorDay', message: expect.stringMatching(/cannot carry exactly/) },
    ]);
  });
});
