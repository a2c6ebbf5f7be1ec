import { describe, expect, it } from 'vitest';
import { dimensionsOf, matchesFilter, MAX_VALUE_TEXT, readValue, valueAtPath } from './event-values.js';

describe('valueAtPath', () => {
  it('follows dot paths through own properties only', () => {
    const data = { usage: { gigabytes: 3 }, list: [1] };
    expect(valueAtPath(data, 'usage.gigabytes')).toBe(3);
    expect(valueAtPath(data, 'usage.missing')).toBeUndefined();
    expect(valueAtPath(data, 'list.0')).toBeUndefined();
    expect(valueAtPath(data, 'usage.toString')).toBeUndefined();
    expect(valueAtPath(null, 'a')).toBeUndefined();
  });
});

describe('matchesFilter', () => {
  const data = { status: 200, billable: true, tier: 'premium', note: null };
  it('needs every condition: equality or one of a list', () => {
    expect(matchesFilter(data, { status: { in: [200, 201] }, billable: true })).toBe(true);
    expect(matchesFilter(data, { status: { in: [500] } })).toBe(false);
    expect(matchesFilter(data, { tier: 'basic' })).toBe(false);
    expect(matchesFilter(data, undefined)).toBe(true);
  });
  it('matches null only to a present null, never to a missing property; never coerces', () => {
    expect(matchesFilter(data, { note: null })).toBe(true);
    expect(matchesFilter(data, { absent: null })).toBe(false);
    expect(matchesFilter(data, { status: '200' })).toBe(false);
  });
});

describe('readValue', () => {
  it('reads JSON numbers and decimal strings exactly, as text', () => {
    expect(readValue('12345678901234567890.123456789')).toMatchObject({ kind: 'decimal', text: '12345678901234567890.123456789', negative: false });
    expect(readValue('"0.1"')).toMatchObject({ kind: 'decimal', text: '0.1' });
    expect(readValue('1e3')).toMatchObject({ kind: 'decimal', text: '1e3' });
    expect(readValue('-2')).toMatchObject({ kind: 'decimal', negative: true });
    expect(readValue('-0.000')).toMatchObject({ kind: 'decimal', negative: false });
  });
  it('tells missing from non-numeric, and says why', () => {
    expect(readValue(null)).toEqual({ kind: 'missing' });
    expect(readValue('null')).toEqual({ kind: 'missing' });
    expect(readValue('"abc"')).toMatchObject({ kind: 'other', why: 'is a string that is not a decimal number' });
    expect(readValue('"NaN"')).toMatchObject({ kind: 'other' });
    expect(readValue('"Infinity"')).toMatchObject({ kind: 'other' });
    expect(readValue('true')).toMatchObject({ kind: 'other', why: 'is true, not a number' });
    expect(readValue('{"a": 1}')).toMatchObject({ kind: 'other', why: 'is an object, not a number' });
    expect(readValue('[1]')).toMatchObject({ kind: 'other', why: 'is an array, not a number' });
    expect(readValue(`"${'9'.repeat(MAX_VALUE_TEXT + 1)}"`)).toMatchObject({ kind: 'other', why: `has more than ${MAX_VALUE_TEXT} characters` });
  });
});

describe('dimensionsOf', () => {
  it('keeps each group-by path, null when missing', () => {
    expect(dimensionsOf({ region: 'eu', a: { b: 1 } }, ['region', 'a.b', 'zone'])).toEqual({ region: 'eu', 'a.b': 1, zone: null });
    expect(dimensionsOf({}, undefined)).toEqual({});
  });
});
