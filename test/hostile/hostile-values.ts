import fc from 'fast-check';
import type { Schema } from '../harness/openapi-operations.js';

// Generators of what an attacker (or a broken producer) sends: strings PostgreSQL cannot hold, numbers
// JSON cannot carry, nesting that overflows a recursive walk, bytes that are not UTF-8, and the
// classic injections. Bodies are built as JSON text, not as objects, so that they can hold what
// JSON.stringify would never write (1e999, 20-digit integers, 10,000 levels).

const LONE_SURROGATE = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit));

/** Strings meant to break a store, a parser or a comparison. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '\u0000',
      'a\u0000b',
      'order-\ud800',
      'order-\udbff',
      '\udc00',
      '\ud83d',
      'x\u0000\ud800',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 6 }), LONE_SURROGATE, fc.string({ maxLength: 6 }))
      .map((parts) => parts.join('')),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '__proto__',
      'constructor',
      'prototype',
      '../../etc/passwd',
      "' or 1=1 --",
      '"; drop table raw_events; --',
      '%00',
      '\\u0000',
      '${7*7}',
      '<script>alert(1)</script>',
      `1${'0'.repeat(80)}`,
      `0.${'1'.repeat(61)}`,
      `-${'9'.repeat(70)}.${'9'.repeat(10)}`,
      '1e999',
      'NaN',
      'Infinity',
      '-0',
      '０１２',
      '\u202eevil',
      '\ufeffbom',
      '\r\n',
      'null',
      '2026-10-01T12:00:00Z',
      '9999-12-31T23:59:60Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59-23:59',
      'USD',
      'key_0000000000000000',
      'a'.repeat(300),
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** Number tokens as JSON text: infinite, rounded, underflowing, negative zero, plain. */
export const hostileNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '1e999',
    '-1e999',
    '12345678901234567890',
    '0.10000000000000000001',
    '1e-400',
    '-0',
    '9007199254740993',
    '1.5',
    '0',
    '-1',
    '1e21',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
);

const scalarText = fc.oneof(
  { weight: 4, arbitrary: hostileString.map((text) => JSON.stringify(text)) },
  { weight: 2, arbitrary: hostileNumberText },
  { weight: 1, arbitrary: fc.constantFrom('null', 'true', 'false') },
);

/** Arrays and objects nested past any limit, written out as text (up to 20,000 levels). */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 60, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('1', 'null', '"\\u0000"'))
  .map(([levels, open, leaf]) => `${open.repeat(levels)}${leaf}${(open === '[' ? ']' : '}').repeat(levels)}`);

/** Any JSON text, hostile at its leaves: nulls in arrays, prototype keys, NUL and surrogate keys. */
export const hostileJsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: scalarText },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.oneof(tie('value'), fc.constant('null')), { maxLength: 4 })
        .map((items) => `[${items.join(',')}]`),
    },
    {
      weight: 2,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof(hostileString, fc.constantFrom('id', 'data', 'type', 'tiers', 'prices', 'event', 'events')),
            tie('value'),
          ),
          { maxLength: 4 },
        )
        .map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`),
    },
    { weight: 1, arbitrary: deepJsonText },
  ),
})).value;

/** Bytes that are not UTF-8: a lone continuation byte, an overlong NUL, a UTF-8-encoded surrogate, Latin-1. */
export const invalidUtf8: fc.Arbitrary<Uint8Array> = fc
  .tuple(
    fc.constantFrom('{"id":"caf', '{"event":{"transaction_id":"', '["', 'apiVersion: "'),
    fc.constantFrom([0xe9], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff, 0xfe], [0xc3]),
  )
  .map(
    ([prefix, bytes]) => new Uint8Array(Buffer.concat([Buffer.from(prefix), Buffer.from(bytes), Buffer.from('"}')])),
  );

/** YAML only a YAML parser can get wrong: nesting by indicators, explicit keys, alias bombs, tags. */
export const hostileYaml: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 65, max: 5_000 }).map((levels) => `apiVersion: meterbridge/v1\n${'? '.repeat(levels)}x\n`),
  fc.integer({ min: 65, max: 20_000 }).map((levels) => `${'- '.repeat(levels)}x\n`),
  fc
    .integer({ min: 65, max: 300 })
    .map((levels) => Array.from({ length: levels }, (_, level) => `${' '.repeat(level)}k:`).join('\n')),
  fc.constantFrom(
    'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
    'a: !!js/function "function () { return 1 }"\n',
    'a: &x [*x]\n',
    'apiVersion: meterbridge/v1\nmeters:\n  - key: m\n    eventType: "e\\0"\n',
    'apiVersion: meterbridge/v1\n\tmeters: []\n',
    '%YAML 9.9\n---\na: 1\n',
    'a: .inf\nb: .nan\n',
  ),
);

/** Percent-encodings of bytes that are not UTF-8 (a surrogate, an overlong NUL, Latin-1): they decode to no text. */
export const UNDECODABLE_URL_TOKENS = ['%ED%A0%80', '%ED%AF%BF', '%C0%80', '%FF', '%E9'] as const;

/** Query and path values already percent-encoded, including encodings that decode to NUL or to no text at all. */
export const hostileUrlToken: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '%00',
      'a%00b',
      ...UNDECODABLE_URL_TOKENS,
      '%2F',
      '..',
      '%2E%2E',
      '%25',
      '__proto__',
      'constructor',
      '1',
      '0',
      '-1',
      '99999999999999999999',
      '%20',
      '',
    ),
  },
  {
    weight: 2,
    arbitrary: hostileString.filter((text) => !/[\ud800-\udfff]/.test(text)).map((text) => encodeURIComponent(text)),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 20 }).map((text) => encodeURIComponent(text)),
  },
);

/** Malformed percent-encodings: the router itself refuses these, before any route (or authentication) runs. */
export const malformedUrlToken = fc.constantFrom('%', '%zz', '%E', 'a%2');

/** Values a header can carry (fetch refuses NUL, CR and LF): Latin-1 text. */
export const headerText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
  fc.constantFrom(
    'Bearer ',
    'Bearer',
    'Basic YWRtaW46YWRtaW4=',
    'Bearer mb_00000000_0000',
    'Bearer \u00e9\u00ff',
    `Bearer ${'x'.repeat(2000)}`,
  ),
);

export const contentTypes = (documented: readonly string[]): fc.Arbitrary<string | null> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(documented.length > 0 ? documented : ['application/json'])) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<string | null>(
        null,
        '',
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=latin1',
        'application/cloudevents+json',
        'application/cloudevents-batch+json',
        'application/x-ndjson',
        'application/yaml',
        'text/plain',
        'text/html; charset=utf-16',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/json;;;',
        '*/*',
        'application/\u00e9',
      ),
    },
  );

/**
 * JSON text shaped like `schema` (the route's documented body) with hostile values mixed in at every
 * level: it gets past the first checks and reaches the ones behind them.
 */
export function jsonTextFor(schema: Schema, depth = 0): fc.Arbitrary<string> {
  if (depth > 4) return hostileJsonText;
  const alternatives = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (alternatives && alternatives.length > 0)
    return fc.oneof(...alternatives.map((alternative) => jsonTextFor(alternative, depth + 1)));
  const types = [schema.type].flat().filter((type): type is string => typeof type === 'string');
  const shaped: Array<fc.Arbitrary<string>> = [];
  if (Array.isArray(schema.enum))
    shaped.push(fc.constantFrom(...(schema.enum as unknown[]).map((value) => JSON.stringify(value))));
  if (types.includes('object') || schema.properties) {
    const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
    shaped.push(
      fc
        .tuple(
          fc.tuple(
            ...properties.map(([name, property]) =>
              fc.option(
                jsonTextFor(property, depth + 1).map((value) => `${JSON.stringify(name)}:${value}`),
                { freq: 4 },
              ),
            ),
          ),
          fc.array(fc.tuple(hostileString, hostileJsonText), { maxLength: 2 }),
        )
        .map(
          ([known, extra]) =>
            `{${[...known.filter((entry) => entry !== null), ...extra.map(([key, value]) => `${JSON.stringify(key)}:${value}`)].join(',')}}`,
        ),
    );
  }
  if (types.includes('array')) {
    const items = (schema.items ?? {}) as Schema;
    shaped.push(
      fc
        .array(
          fc.oneof(
            { weight: 4, arbitrary: jsonTextFor(items, depth + 1) },
            { weight: 1, arbitrary: fc.constant('null') },
          ),
          { maxLength: 4 },
        )
        .map((entries) => `[${entries.join(',')}]`),
    );
  }
  if (types.includes('string'))
    shaped.push(
      fc.oneof(
        hostileString.map((text) => JSON.stringify(text)),
        fc.constantFrom('"1"', '"10.5"', '"2026-10"', '"2026-10-01T00:00:00Z"', '"USD"'),
      ),
    );
  if (types.includes('integer') || types.includes('number')) shaped.push(hostileNumberText);
  if (shaped.length === 0) return hostileJsonText;
  return fc.oneof({ weight: 5, arbitrary: fc.oneof(...shaped) }, { weight: 1, arbitrary: hostileJsonText });
}

/** `seed` serialized as JSON with its node number `target` (depth first, root 0) replaced by `replacement`. */
export function withNodeReplaced(seed: unknown, target: number, replacement: string): string {
  let next = 0;
  const write = (value: unknown): string => {
    if (next++ === target) return replacement;
    if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
    if (value !== null && typeof value === 'object')
      return `{${Object.entries(value)
        .map(([key, child]) => `${JSON.stringify(key)}:${write(child)}`)
        .join(',')}}`;
    return JSON.stringify(value);
  };
  return write(seed);
}

export function countNodes(value: unknown): number {
  if (Array.isArray(value)) return 1 + value.reduce((total: number, item) => total + countNodes(item), 0);
  if (value !== null && typeof value === 'object')
    return 1 + Object.values(value).reduce((total: number, item) => total + countNodes(item), 0);
  return 1;
}

/** A valid document with one of its values (or subtrees) replaced by a hostile one. */
export function mutated(seed: unknown): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.nat({ max: countNodes(seed) - 1 }),
      fc.oneof(
        { weight: 3, arbitrary: scalarText },
        { weight: 1, arbitrary: fc.constant('null') },
        { weight: 1, arbitrary: hostileJsonText },
      ),
    )
    .map(([target, replacement]) => withNodeReplaced(seed, target, replacement));
}
