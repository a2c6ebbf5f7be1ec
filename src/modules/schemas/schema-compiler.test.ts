import { describe, it, expect } from 'vitest';
import { compileDataSchema, MAX_SCHEMA_BYTES, type DataValidator, type FieldError } from './schema-compiler.js';

function compiled(schema: unknown): DataValidator {
  const result = compileDataSchema(schema);
  if (!result.ok) throw new Error(`expected the schema to compile, got ${JSON.stringify(result.errors)}`);
  return result.validate;
}

function refused(schema: unknown): FieldError[] {
  const result = compileDataSchema(schema);
  if (result.ok) throw new Error('expected the schema to be refused');
  return result.errors;
}

const usageSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    model: { type: 'string' },
    tokens: { type: 'number', minimum: 0 },
    tier: { enum: ['free', 'pro'] },
    usage: {
      type: 'object',
      properties: { input: { type: 'integer' }, output: { type: 'integer' } },
      required: ['input'],
      additionalProperties: false,
    },
    lines: {
      type: 'array',
      items: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
    },
    at: { type: 'string', format: 'date-time' },
  },
  required: ['model', 'tokens'],
  additionalProperties: false,
};

describe('compileDataSchema: accepted schemas', () => {
  it('compiles a 2020-12 schema whose validator accepts matching data', () => {
    const validate = compiled(usageSchema);
    expect(validate({ model: 'gpt', tokens: 12, tier: 'pro', usage: { input: 1 }, lines: [{ sku: 'a' }], at: '2026-01-01T00:00:00Z' })).toEqual([]);
  });

  it('treats a schema without $schema as 2020-12 (prefixItems works)', () => {
    const validate = compiled({
      type: 'object',
      properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], minItems: 2, maxItems: 2 } },
    });
    expect(validate({ pair: ['a', 1] })).toEqual([]);
    expect(validate({ pair: [1, 'a'] })).toEqual([
      { path: '/data/pair/0', message: 'must be string' },
      { path: '/data/pair/1', message: 'must be number' },
    ]);
  });

  it('compiles a draft-07 schema with draft-07 semantics (definitions, tuple items, additionalItems)', () => {
    const validate = compiled({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      definitions: { sku: { type: 'string', minLength: 1 } },
      properties: {
        sku: { $ref: '#/definitions/sku' },
        pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }], minItems: 2, additionalItems: false },
      },
      required: ['sku'],
    });
    expect(validate({ sku: 'a', pair: ['x', 1] })).toEqual([]);
    expect(validate({ sku: '', pair: ['x', 'y', 3] })).toEqual([
      { path: '/data/sku', message: 'must NOT have fewer than 1 characters' },
      { path: '/data/pair', message: 'must NOT have more than 2 items' },
      { path: '/data/pair/1', message: 'must be number' },
    ]);
  });

  it('accepts the draft-07 and 2020-12 URIs with or without the empty fragment', () => {
    expect(compileDataSchema({ $schema: 'http://json-schema.org/draft-07/schema', type: 'object' }).ok).toBe(true);
    expect(compileDataSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema#', type: 'object' }).ok).toBe(true);
  });

  it('accepts a schema without a top-level type, reading it as an object schema', () => {
    const validate = compiled({ properties: { a: { type: 'string' } }, required: ['a'] });
    expect(validate({ a: 'x' })).toEqual([]);
    expect(validate({})).toEqual([{ path: '/data/a', message: 'is required' }]);
  });

  it('accepts union types such as ["number", "null"]', () => {
    const validate = compiled({ type: 'object', properties: { tokens: { type: ['number', 'null'] } } });
    expect(validate({ tokens: null })).toEqual([]);
    expect(validate({ tokens: 'x' })).toEqual([{ path: '/data/tokens', message: 'must be number or null' }]);
  });

  it('accepts required inside anyOf even though the properties are declared beside it', () => {
    const validate = compiled({
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'string' } },
      anyOf: [{ required: ['a'] }, { required: ['b'] }],
    });
    expect(validate({ b: 'x' })).toEqual([]);
    expect(validate({})).toEqual([{ path: '/data', message: '"a" is required or "b" is required' }]);
  });

  it('compiles each schema on its own, so two schemas may share an $id', () => {
    const first = compiled({ $id: 'https://example.com/usage', type: 'object', properties: { a: { type: 'string' } } });
    const second = compiled({ $id: 'https://example.com/usage', type: 'object', properties: { a: { type: 'number' } } });
    expect(first({ a: 'x' })).toEqual([]);
    expect(second({ a: 'x' })).toEqual([{ path: '/data/a', message: 'must be number' }]);
  });
});

describe('compileDataSchema: refused schemas', () => {
  it('returns meta-schema errors with the JSON Pointer of the offending keyword', () => {
    expect(refused({ type: 'object', properties: { a: { type: 'nope' } } })).toEqual([
      {
        path: '/properties/a/type',
        message: 'must be one of "array", "boolean", "integer", "null", "number", "object", "string" or must be array',
      },
    ]);
  });

  it('reports every meta-schema error at once', () => {
    const errors = refused({ type: 'object', properties: { a: { type: 'nope' }, b: { minLength: -1, type: 'string' } }, required: 'a' });
    expect(errors.map((error) => error.path)).toEqual(['/properties/a/type', '/properties/b/minLength', '/required']);
  });

  it('refuses unknown keywords in strict mode, naming each one by path', () => {
    expect(refused({ type: 'object', properties: { a: { type: 'string', maxlength: 3 } }, descripton: 'typo' })).toEqual([
      { path: '/properties/a/maxlength', message: 'unknown keyword "maxlength": strict mode refuses keywords it cannot check' },
      { path: '/descripton', message: 'unknown keyword "descripton": strict mode refuses keywords it cannot check' },
    ]);
  });

  it('refuses keywords that only exist on Object.prototype, which Ajv itself lets through', () => {
    expect(refused({ type: 'object', constructor: {} }).map((error) => error.path)).toEqual(['/constructor']);
  });

  it('refuses Ajv-only keywords, including $async which would make every event pass', () => {
    expect(refused({ type: 'object', $async: true, properties: { a: { type: 'string', nullable: true } } })).toEqual([
      { path: '/$async', message: '"$async" is an Ajv extension, not JSON Schema' },
      { path: '/properties/a/nullable', message: '"nullable" is an Ajv extension, not JSON Schema' },
    ]);
  });

  it('refuses remote $refs with the path of each ref', () => {
    expect(refused({ type: 'object', properties: { a: { $ref: 'https://example.com/a.json' }, b: { items: { $ref: 'b.json#/x' } } } })).toEqual([
      { path: '/properties/a/$ref', message: 'remote reference "https://example.com/a.json" is not allowed; use a local one such as "#/$defs/name"' },
      { path: '/properties/b/items/$ref', message: 'remote reference "b.json#/x" is not allowed; use a local one such as "#/$defs/name"' },
    ]);
  });

  it('does not mistake a property named $ref for a reference', () => {
    expect(compileDataSchema({ type: 'object', properties: { $ref: { type: 'string', const: 'https://example.com' } } }).ok).toBe(true);
  });

  it('reports a local $ref that points at nothing, at the ref', () => {
    expect(refused({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } })).toEqual([
      { path: '/properties/a/$ref', message: 'cannot be resolved: nothing in this schema is at "#/$defs/missing"' },
    ]);
  });

  it('refuses a top-level type other than object', () => {
    expect(refused({ type: 'array', items: { type: 'number' } })).toEqual([
      { path: '/type', message: 'must be "object": an event\'s data is always a JSON object, got "array"' },
    ]);
    expect(refused({ type: ['object', 'null'] }).map((error) => error.path)).toEqual(['/type']);
  });

  it('refuses anything but a JSON object as the schema', () => {
    for (const schema of [true, null, [], 'object']) {
      expect(refused(schema)).toEqual([{ path: '', message: 'must be a JSON Schema object' }]);
    }
  });

  it('refuses a schema larger than 256 KiB serialized', () => {
    const errors = refused({ type: 'object', description: 'x'.repeat(MAX_SCHEMA_BYTES) });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('');
    expect(errors[0]?.message).toMatch(/bytes serialized; a schema may be at most 262144 bytes$/);
  });

  it('refuses __proto__ keys anywhere in the document', () => {
    const schema: unknown = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}},"examples":[{"__proto__":{}}]}');
    expect(refused(schema)).toEqual([
      { path: '/properties/__proto__', message: 'key "__proto__" is not allowed' },
      { path: '/examples/0/__proto__', message: 'key "__proto__" is not allowed' },
    ]);
  });

  it('refuses absurdly deep nesting before walking it', () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 100; level += 1) schema = { not: schema };
    const errors = refused({ type: 'object', properties: { deep: schema } });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('nests deeper than 64 levels');
  });

  it('refuses an unsupported $schema, naming it', () => {
    expect(refused({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' })).toEqual([
      {
        path: '/$schema',
        message:
          '"http://json-schema.org/draft-04/schema#" is not a supported dialect; use "https://json-schema.org/draft/2020-12/schema" (the default) or "http://json-schema.org/draft-07/schema#"',
      },
    ]);
  });

  it('refuses invalid regular expressions in pattern and patternProperties', () => {
    const errors = refused({ type: 'object', properties: { a: { type: 'string', pattern: '([' } }, patternProperties: { '(': { type: 'string' } } });
    expect(errors.map((error) => error.path)).toEqual(['/properties/a/pattern', '/patternProperties/(']);
    expect(errors[0]?.message).toMatch(/^is not a valid regular expression: /);
  });

  it('refuses unknown formats', () => {
    expect(refused({ type: 'object', properties: { a: { type: 'string', format: 'datetime' } } })).toEqual([
      { path: '/properties/a/format', message: 'unknown format "datetime"' },
    ]);
  });

  it('reports Ajv strict-mode findings as errors with their path', () => {
    expect(refused({ type: 'object', properties: { a: { minimum: 0 } } })).toEqual([
      { path: '/properties/a', message: 'missing type "number" for keyword "minimum" (strict mode)' },
    ]);
  });

  it('refuses keywords that do nothing without their partner', () => {
    expect(refused({ type: 'object', properties: { a: { type: 'string', if: { minLength: 1 } } } })).toEqual([
      { path: '/properties/a/if', message: 'has no effect without "then" or "else"' },
    ]);
  });

  it('refuses a $ref cycle that never descends into the data', () => {
    const message = 'recurses without end: a $ref cycle never reaches deeper into the data';
    expect(refused({ type: 'object', $ref: '#' })).toEqual([{ path: '', message }]);
    expect(refused({ $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' })).toEqual([{ path: '', message }]);
  });

  it('reports a conditional $ref cycle per event instead of throwing', () => {
    const validate = compiled({ type: 'object', properties: { loop: { type: 'boolean' } }, if: { required: ['loop'] }, then: { $ref: '#' } });
    expect(validate({})).toEqual([]);
    expect(validate({ loop: true })).toEqual([{ path: '/data', message: 'recurses without end: a $ref cycle never reaches deeper into the data' }]);
  });

  it('accepts recursion that descends into the data', () => {
    const validate = compiled({ type: 'object', properties: { child: { $ref: '#' }, n: { type: 'number' } } });
    expect(validate({ child: { child: { n: 'x' } } })).toEqual([{ path: '/data/child/child/n', message: 'must be number' }]);
  });
});

describe('compileDataSchema: validation errors', () => {
  const validate = compiled(usageSchema);

  it('names a missing required property in the path', () => {
    expect(validate({ tokens: 1 })).toEqual([{ path: '/data/model', message: 'is required' }]);
  });

  it('says which type was expected', () => {
    expect(validate({ model: 'gpt', tokens: '12' })).toEqual([{ path: '/data/tokens', message: 'must be number' }]);
  });

  it('names an additional property in the path', () => {
    expect(validate({ model: 'gpt', tokens: 1, colour: 'red' })).toEqual([{ path: '/data/colour', message: 'is not allowed' }]);
  });

  it('lists the allowed values of an enum', () => {
    expect(validate({ model: 'gpt', tokens: 1, tier: 'gold' })).toEqual([{ path: '/data/tier', message: 'must be one of "free", "pro"' }]);
  });

  it('states the bound that was crossed', () => {
    expect(validate({ model: 'gpt', tokens: -1 })).toEqual([{ path: '/data/tokens', message: 'must be >= 0' }]);
  });

  it('roots errors in nested objects at their full path', () => {
    expect(validate({ model: 'gpt', tokens: 1, usage: { input: 1.5, cached: 3 } })).toEqual([
      { path: '/data/usage/cached', message: 'is not allowed' },
      { path: '/data/usage/input', message: 'must be integer' },
    ]);
    expect(validate({ model: 'gpt', tokens: 1, usage: {} })).toEqual([{ path: '/data/usage/input', message: 'is required' }]);
  });

  it('roots errors in array items at the item index', () => {
    expect(validate({ model: 'gpt', tokens: 1, lines: [{ sku: 'a' }, { sku: 7 }, {}] })).toEqual([
      { path: '/data/lines/1/sku', message: 'must be string' },
      { path: '/data/lines/2/sku', message: 'is required' },
    ]);
  });

  it('checks formats', () => {
    expect(validate({ model: 'gpt', tokens: 1, at: 'yesterday' })).toEqual([{ path: '/data/at', message: 'must match format "date-time"' }]);
  });

  it('reports every problem in one pass', () => {
    expect(validate({ tokens: 'many', tier: 'gold', extra: true })).toEqual([
      { path: '/data/model', message: 'is required' },
      { path: '/data/extra', message: 'is not allowed' },
      { path: '/data/tokens', message: 'must be number' },
      { path: '/data/tier', message: 'must be one of "free", "pro"' },
    ]);
  });

  it('merges the branches of a failed anyOf into one message', () => {
    const check = compiled({ type: 'object', properties: { id: { anyOf: [{ type: 'string', minLength: 3 }, { type: 'integer' }] } } });
    expect(check({ id: 'ab' })).toEqual([{ path: '/data/id', message: 'must NOT have fewer than 3 characters or must be integer' }]);
  });

  it('names the offending key for propertyNames', () => {
    const check = compiled({ type: 'object', properties: { tags: { type: 'object', propertyNames: { pattern: '^[a-z]+$' } } } });
    expect(check({ tags: { ok: 1, Bad: 2 } })).toEqual([{ path: '/data/tags/Bad', message: 'is not an allowed name: must match pattern "^[a-z]+$"' }]);
  });

  it('escapes property names in paths as JSON Pointer', () => {
    const check = compiled({ type: 'object', properties: { 'a/b': { type: 'string' } }, required: ['a/b', 'c~d'] });
    expect(check({ 'a/b': 1 })).toEqual([
      { path: '/data/c~0d', message: 'is required' },
      { path: '/data/a~1b', message: 'must be string' },
    ]);
  });

  it('ignores inherited properties such as toString and constructor', () => {
    const check = compiled({ type: 'object', properties: { toString: { type: 'string' } }, required: ['valueOf'] });
    expect(check({})).toEqual([{ path: '/data/valueOf', message: 'is required' }]);
  });

  it('reports a non-object data value against a schema that types it', () => {
    expect(validate(null)).toEqual([{ path: '/data', message: 'must be object' }]);
  });
});
