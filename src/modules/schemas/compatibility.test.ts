import { describe, it, expect } from 'vitest';
import { findBreakingChanges } from './compatibility.js';

const v1 = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    tokens: { type: 'number' },
    tier: { type: 'string', enum: ['free', 'pro'] },
    note: { type: 'string' },
  },
  required: ['model', 'tokens'],
};

function withProperties(extra: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...v1, properties: { ...v1.properties, ...extra }, ...overrides };
}

describe('findBreakingChanges: compatible changes', () => {
  it('finds nothing between identical schemas', () => {
    expect(findBreakingChanges(v1, structuredClone(v1))).toEqual([]);
  });

  it('accepts a new optional property', () => {
    expect(findBreakingChanges(v1, withProperties({ region: { type: 'string' } }))).toEqual([]);
  });

  it('accepts widening a type to a union with null', () => {
    expect(findBreakingChanges(v1, withProperties({ tokens: { type: ['number', 'null'] } }))).toEqual([]);
  });

  it('accepts widening integer to number', () => {
    const previous = withProperties({ tokens: { type: 'integer' } });
    expect(findBreakingChanges(previous, v1)).toEqual([]);
  });

  it('accepts dropping a type constraint altogether', () => {
    expect(findBreakingChanges(v1, withProperties({ note: {} }))).toEqual([]);
  });

  it('accepts widening an enum', () => {
    expect(findBreakingChanges(v1, withProperties({ tier: { type: 'string', enum: ['free', 'pro', 'enterprise'] } }))).toEqual([]);
  });

  it('accepts removing an optional property from an open object', () => {
    const { note: _note, ...properties } = v1.properties;
    expect(findBreakingChanges(v1, { ...v1, properties })).toEqual([]);
  });

  it('accepts removing an optional property while opening a closed object, since old data stays valid', () => {
    const { note: _note, ...properties } = v1.properties;
    expect(findBreakingChanges({ ...v1, additionalProperties: false }, { ...v1, properties })).toEqual([]);
  });

  it('accepts stating type object at the root, which event data always is', () => {
    const { type: _type, ...untyped } = v1;
    expect(findBreakingChanges(untyped, v1)).toEqual([]);
  });

  it('accepts opening a closed object', () => {
    expect(findBreakingChanges({ ...v1, additionalProperties: false }, v1)).toEqual([]);
  });
});

describe('findBreakingChanges: breaking changes', () => {
  it('detects a new required field', () => {
    expect(findBreakingChanges(v1, withProperties({ region: { type: 'string' } }, { required: ['model', 'tokens', 'region'] }))).toEqual([
      { path: '/properties/region', kind: 'required_added', message: 'required field "region" was added' },
    ]);
  });

  it('detects an optional field becoming required', () => {
    expect(findBreakingChanges(v1, { ...v1, required: ['model', 'tokens', 'note'] })).toEqual([
      { path: '/properties/note', kind: 'required_added', message: 'field "note" became required' },
    ]);
  });

  it('detects a field that is no longer required', () => {
    expect(findBreakingChanges(v1, { ...v1, required: ['model'] })).toEqual([
      { path: '/properties/tokens', kind: 'required_removed', message: 'field "tokens" is no longer required' },
    ]);
  });

  it('detects a required field removed from properties and required', () => {
    const { tokens: _tokens, ...properties } = v1.properties;
    expect(findBreakingChanges(v1, { ...v1, properties, required: ['model'] })).toEqual([
      { path: '/properties/tokens', kind: 'property_removed', message: 'required field "tokens" was removed' },
    ]);
  });

  it('detects an optional property removed from a closed object', () => {
    const { note: _note, ...properties } = v1.properties;
    const closed = { ...v1, additionalProperties: false };
    expect(findBreakingChanges(closed, { ...closed, properties })).toEqual([
      { path: '/properties/note', kind: 'property_removed', message: 'field "note" was removed and additional properties are not allowed' },
    ]);
  });

  it('detects a type change, naming the field and both types', () => {
    expect(findBreakingChanges(v1, withProperties({ tokens: { type: 'string' } }))).toEqual([
      { path: '/properties/tokens', kind: 'type_changed', message: 'field "tokens" changed type from number to string' },
    ]);
  });

  it('detects narrowing number to integer and dropping null from a union', () => {
    expect(findBreakingChanges(v1, withProperties({ tokens: { type: 'integer' } }))).toEqual([
      { path: '/properties/tokens', kind: 'type_changed', message: 'field "tokens" changed type from number to integer' },
    ]);
    const nullable = withProperties({ tokens: { type: ['number', 'null'] } });
    expect(findBreakingChanges(nullable, v1)).toEqual([
      { path: '/properties/tokens', kind: 'type_changed', message: 'field "tokens" changed type from number or null to number' },
    ]);
  });

  it('detects a type added where there was none', () => {
    expect(findBreakingChanges(withProperties({ note: {} }), v1)).toEqual([
      { path: '/properties/note', kind: 'type_changed', message: 'field "note" changed type from any type to string' },
    ]);
  });

  it('detects enum values removed', () => {
    expect(findBreakingChanges(v1, withProperties({ tier: { type: 'string', enum: ['pro'] } }))).toEqual([
      { path: '/properties/tier', kind: 'enum_narrowed', message: 'field "tier" no longer accepts "free"' },
    ]);
  });

  it('detects an enum imposed on a field that had none, and treats const as a one-value enum', () => {
    expect(findBreakingChanges(v1, withProperties({ note: { type: 'string', const: 'hi' } }))).toEqual([
      { path: '/properties/note', kind: 'enum_narrowed', message: 'field "note" is now restricted to "hi"' },
    ]);
  });

  it('detects additionalProperties turning false', () => {
    expect(findBreakingChanges(v1, { ...v1, additionalProperties: false })).toEqual([
      { path: '', kind: 'additional_properties_closed', message: 'the event data no longer allows additional properties' },
    ]);
    expect(findBreakingChanges({ ...v1, additionalProperties: true }, { ...v1, additionalProperties: false })).toHaveLength(1);
  });

  it('detects a still-required property dropped from a closed object', () => {
    const { tokens: _tokens, ...properties } = v1.properties;
    expect(findBreakingChanges({ ...v1, additionalProperties: false }, { ...v1, properties, additionalProperties: false })).toEqual([
      { path: '/properties/tokens', kind: 'property_removed', message: 'field "tokens" was removed and additional properties are not allowed' },
    ]);
  });

  it('detects a property now forbidden with a false schema', () => {
    expect(findBreakingChanges(v1, withProperties({ note: false }))).toEqual([
      { path: '/properties/note', kind: 'property_removed', message: 'field "note" is no longer allowed' },
    ]);
  });

  it('compares a removed property against the additionalProperties schema that now governs it', () => {
    const { note: _note, ...properties } = v1.properties;
    expect(findBreakingChanges(v1, { ...v1, properties, additionalProperties: { type: 'number' } })).toEqual([
      { path: '/properties/note', kind: 'type_changed', message: 'field "note" changed type from string to number' },
    ]);
    expect(findBreakingChanges(v1, { ...v1, properties, additionalProperties: { type: 'string' } })).toEqual([]);
  });

  it('compares a new property against the additionalProperties schema that used to govern it', () => {
    const previous = { type: 'object', additionalProperties: { type: 'string' } };
    const next = { type: 'object', properties: { region: { type: 'number' } }, additionalProperties: { type: 'string' } };
    expect(findBreakingChanges(previous, next)).toEqual([
      { path: '/properties/region', kind: 'type_changed', message: 'field "region" changed type from string to number' },
    ]);
  });
});

describe('findBreakingChanges: nesting', () => {
  const nested = {
    type: 'object',
    properties: {
      usage: {
        type: 'object',
        properties: { tokens: { type: 'number' }, unit: { enum: ['token', 'char'] } },
        required: ['tokens'],
      },
      lines: {
        type: 'array',
        items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } }, required: ['sku'] },
      },
    },
  };

  it('recurses into nested objects with full paths and dotted field names', () => {
    const next = structuredClone(nested);
    next.properties.usage.properties.tokens = { type: 'string' };
    expect(findBreakingChanges(nested, next)).toEqual([
      { path: '/properties/usage/properties/tokens', kind: 'type_changed', message: 'field "usage.tokens" changed type from number to string' },
    ]);
  });

  it('recurses into array items', () => {
    const next = structuredClone(nested);
    next.properties.lines.items.required = ['sku', 'qty'];
    next.properties.lines.items.properties.sku = { type: 'number' };
    expect(findBreakingChanges(nested, next)).toEqual([
      { path: '/properties/lines/items/properties/qty', kind: 'required_added', message: 'field "lines[].qty" became required' },
      { path: '/properties/lines/items/properties/sku', kind: 'type_changed', message: 'field "lines[].sku" changed type from string to number' },
    ]);
  });

  it('detects a type change of the items themselves', () => {
    const previous = { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' } } } };
    const next = { type: 'object', properties: { tags: { type: 'array', items: { type: 'number' } } } };
    expect(findBreakingChanges(previous, next)).toEqual([
      { path: '/properties/tags/items', kind: 'type_changed', message: 'field "tags[]" changed type from string to number' },
    ]);
  });

  it('reports a nested object closing with its own path', () => {
    const next = structuredClone(nested);
    Object.assign(next.properties.usage, { additionalProperties: false });
    expect(findBreakingChanges(nested, next)).toEqual([
      { path: '/properties/usage', kind: 'additional_properties_closed', message: 'field "usage" no longer allows additional properties' },
    ]);
  });
});

describe('findBreakingChanges: several changes at once', () => {
  it('reports every breaking change together, one per field and kind', () => {
    const next = {
      type: 'object',
      properties: {
        model: { type: 'number' },
        tier: { type: 'string', enum: ['pro'] },
        note: { type: 'string' },
        region: { type: 'string' },
      },
      required: ['model', 'region'],
      additionalProperties: false,
    };
    expect(findBreakingChanges(v1, next).map(({ kind, path }) => ({ kind, path }))).toEqual([
      { kind: 'additional_properties_closed', path: '' },
      { kind: 'required_added', path: '/properties/region' },
      { kind: 'property_removed', path: '/properties/tokens' },
      { kind: 'type_changed', path: '/properties/model' },
      { kind: 'enum_narrowed', path: '/properties/tier' },
    ]);
  });
});
