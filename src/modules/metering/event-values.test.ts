import { describe, expect, it } from 'vitest';
import { dimensionsOf, matchesFilter, MAX_VALUE_TEXT, pickedReader, readValue } from './event-values.js';

/** A reader as the database would pick these paths from `data`: JSON text, or null where missing. */
function readerOf(data: Record<string, unknown>) {
  const paths = Object.keys(data);
  return pickedReader(
    new Map(paths.map((path, i) => [path, i])),
    paths.map((path) => JSON.stringify(data[path])),
  );
}

describe('pickedReader', () => {
  it('parses each picked JSON text once; a path the database found missing reads as undefined', () => {
    const read = pickedReader(
      new Map([
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ]),
      ['{"x":1}', null, 'null'],
    );
    expect(read('a')).toEqual({ x: 1 });
    expect(read('a')).toBe(read('a'));
    expect(read('b')).toBeUndefined();
    expect(read('c')).toBeNull();
    expect(read('not.picked')).toBeUndefined();
  });
});

describe('matchesFilter', () => {
  const data = readerOf({ status: 200, billable: true, tier: 'premium', note: null });
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
    expect(readValue('12345678901234567890.123456789')).toMatchObject({
      kind: 'decimal',
      text: '12345678901234567890.123456789',
      negative: false,
    });
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
    expect(readValue(`"${'9'.repeat(MAX_VALUE_TEXT + 1)}"`)).toMatchObject({
      kind: 'other',
      why: `has more than ${MAX_VALUE_TEXT} characters`,
    });
  });

  it('refuses a value with more significant digits than pricing computes with, rather than have billing round it', () => {
    expect(readValue(`"1.${'0'.repeat(58)}1"`)).toMatchObject({ kind: 'decimal' });
    expect(readValue(`"1.${'0'.repeat(59)}1"`)).toMatchObject({
      kind: 'other',
      why: 'has 61 significant digits; at most 60 can be held exactly',
    });
    expect(readValue(`1${'0'.repeat(150)}`)).toMatchObject({ kind: 'decimal' });
    expect(readValue(`0.${'1'.repeat(61)}e5`)).toMatchObject({
      kind: 'other',
      why: 'has 61 significant digits; at most 60 can be held exactly',
    });
  });
});

describe('dimensionsOf', () => {
  it('keeps each group-by path, null when missing', () => {
    expect(dimensionsOf(readerOf({ region: 'eu', 'a.b': 1 }), ['region', 'a.b', 'zone'])).toEqual({
      region: 'eu',
      'a.b': 1,
      zone: null,
    });
    expect(dimensionsOf(readerOf({}), undefined)).toEqual({});
  });
});
