import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../platform/errors.js';
import { compileCsvHeader, csvRecordToEvent } from './csv-event.js';
import { validateEnvelope } from './envelope.js';

function convert(names: string[], cells: string[]) {
  return csvRecordToEvent(compileCsvHeader(names), cells);
}

function headerErrors(names: string[]) {
  try {
    compileCsvHeader(names);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).errors;
  }
  throw new Error('the header was accepted');
}

describe('csvRecordToEvent', () => {
  const base = ['id', 'source', 'type'];
  const baseCells = ['e1', 'src', 'api.request'];

  it('maps attribute columns and defaults specversion to 1.0 when the column is absent', () => {
    expect(convert([...base, 'subject', 'time'], [...baseCells, 'customer-1', '2026-10-15T12:00:00Z'])).toEqual({
      ok: true,
      event: {
        specversion: '1.0',
        id: 'e1',
        source: 'src',
        type: 'api.request',
        subject: 'customer-1',
        time: '2026-10-15T12:00:00Z',
      },
    });
  });

  it('refuses a number cell JSON would round, and rounded numbers in a data column of JSON, at their paths', () => {
    expect(convert([...base, 'data.n'], [...baseCells, '12345678901234567890'])).toEqual({
      ok: false,
      errors: [
        {
          path: '/data/n',
          message: expect.stringMatching(/^is the number 12345678901234567890, which JSON cannot carry exactly/),
        },
      ],
    });
    expect(convert([...base, 'data'], [...baseCells, '{"a": [0.10000000000000000001]}'])).toEqual({
      ok: false,
      errors: [{ path: '/data/a/0', message: expect.stringMatching(/cannot carry exactly/) }],
    });
    expect(convert([...base, 'data.n'], [...baseCells, '3.141592653589793'])).toMatchObject({
      ok: true,
      event: { data: { n: 3.141592653589793 } },
    });
  });

  it('keeps a specversion cell as written, and reads an empty one as absent (1.0)', () => {
    expect(convert([...base, 'specversion'], [...baseCells, '0.3'])).toMatchObject({
      ok: true,
      event: { specversion: '0.3' },
    });
    expect(convert([...base, 'specversion'], [...baseCells, ''])).toMatchObject({
      ok: true,
      event: { specversion: '1.0' },
    });
  });

  it('types data cells: strict decimal numbers, true/false, empty cells omitted, anything else a string', () => {
    const names = [
      ...base,
      'data.tokens',
      'data.price',
      'data.exp',
      'data.negative',
      'data.cached',
      'data.streamed',
      'data.note',
      'data.model',
    ];
    const result = convert(names, [...baseCells, '10', '0.25', '1.5e3', '-3', 'true', 'false', '', 'small']);
    expect(result).toEqual({
      ok: true,
      event: {
        specversion: '1.0',
        id: 'e1',
        source: 'src',
        type: 'api.request',
        data: { tokens: 10, price: 0.25, exp: 1500, negative: -3, cached: true, streamed: false, model: 'small' },
      },
    });
  });

  it('leaves cells that only look like numbers or booleans as strings', () => {
    const cells = ['007', '1.', '.5', '+1', ' 1', '1,5', '0x10', 'TRUE', 'True', 'NaN', 'Infinity', '1e'];
    const names = cells.map((_, index) => `data.v${index}`);
    const result = convert([...base, ...names], [...baseCells, ...cells]);
    expect(result.ok && result.event.data).toEqual(Object.fromEntries(cells.map((cell, index) => [`v${index}`, cell])));
  });

  it('builds nested objects from dot paths', () => {
    const result = convert(
      [...base, 'data.usage.tokens', 'data.usage.model', 'data.region', 'data.usage.cost.usd'],
      [...baseCells, '12', 'large', 'eu', '0.5'],
    );
    expect(result.ok && result.event.data).toEqual({
      usage: { tokens: 12, model: 'large', cost: { usd: 0.5 } },
      region: 'eu',
    });
  });

  it('gives an object holding only the non-empty cells, and no nested object for an all-empty branch', () => {
    const result = convert([...base, 'data.usage.tokens', 'data.region'], [...baseCells, '', '']);
    expect(result.ok && result.event.data).toEqual({});
  });

  it('rejects a number too large to represent instead of storing Infinity', () => {
    expect(convert([...base, 'data.usage.big'], [...baseCells, '1e999'])).toEqual({
      ok: false,
      errors: [{ path: '/data/usage/big', message: '1e999 is too large to be a number' }],
    });
  });

  it('parses a data column holding a JSON object, and omits data for an empty cell', () => {
    expect(convert([...base, 'data'], [...baseCells, '{"tokens": 10, "usage": {"model": "small"}}'])).toMatchObject({
      ok: true,
      event: { data: { tokens: 10, usage: { model: 'small' } } },
    });
    const empty = convert([...base, 'data'], [...baseCells, '']);
    expect(empty.ok && 'data' in empty.event).toBe(false);
  });

  it('rejects a record whose data column is not valid JSON, naming /data', () => {
    const result = convert([...base, 'data'], [...baseCells, '{tokens: 10}']);
    expect(result).toEqual({
      ok: false,
      errors: [{ path: '/data', message: expect.stringMatching(/^is not valid JSON: /) }],
    });
  });

  it('passes JSON that is not an object on, for envelope validation to reject like any', () => {
    const result = convert([...base, 'data'], [...baseCells, '[1,2]']);
    expect(result).toMatchObject({ ok: true, event: { data: [1, 2] } });
  });

  it('turns unknown columns into string extension attributes, validated like any', () => {
    const result = convert([...base, 'region', 'Bad-Name'], [...baseCells, 'eu', 'x']);
    expect(result).toMatchObject({ ok: true, event: { region: 'eu', 'Bad-Name': 'x' } });
    const checked = validateEnvelope(result.ok && result.event, {
      now: new Date(),
      maxEventBytes: 65536,
      maxFutureSeconds: 300,
    });
    expect(checked).toMatchObject({ ok: false, errors: [{ path: '/Bad-Name' }] });
  });

  it('turns a __proto__ path into an own key that validation refuses, never into a prototype', () => {
    const result = convert([...base, 'data.__proto__.polluted'], [...baseCells, 'yes']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const checked = validateEnvelope(result.ok && result.event, {
      now: new Date(),
      maxEventBytes: 65536,
      maxFutureSeconds: 300,
    });
    expect(checked).toMatchObject({
      ok: false,
      errors: [{ path: '/data/__proto__', message: 'key "__proto__" is not allowed' }],
    });
  });

  it('trims header names', () => {
    expect(convert([' id', 'source ', ' type ', ' data.tokens'], [...baseCells, '5'])).toMatchObject({
      ok: true,
      event: { id: 'e1', data: { tokens: 5 } },
    });
  });
});

describe('compileCsvHeader', () => {
  it('requires the id, source and type columns', () => {
    expect(headerErrors(['id', 'time'])).toEqual([
      { path: 'column "source"', message: 'is required in the header' },
      { path: 'column "type"', message: 'is required in the header' },
    ]);
  });

  it('refuses a data column together with data.<field> columns', () => {
    expect(headerErrors(['id', 'source', 'type', 'data', 'data.tokens'])).toEqual([
      { path: 'column "data"', message: expect.stringContaining('not both') },
    ]);
  });

  it('refuses duplicate, unnamed and empty-segment columns, and a path nested under a value', () => {
    expect(headerErrors(['id', 'source', 'type', 'id', '', 'data.a..b', 'data.x', 'data.x.y'])).toEqual([
      { path: 'column 4 "id"', message: 'appears more than once' },
      { path: 'column 5', message: 'has no name' },
      { path: 'column 6 "data.a..b"', message: 'has an empty segment in its data path' },
      { path: 'column "data.x.y"', message: 'nests inside column "data.x", which already holds a value' },
    ]);
  });
});
