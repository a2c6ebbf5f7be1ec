import { describe, expect, it } from 'vitest';
import {
  findConflictsInBatch,
  fromLagoEvent,
  lagoTimestampToRfc3339,
  toLagoFieldErrors,
  type LagoEventMapping,
} from './lago-event.js';

const base = { transaction_id: 'tx-1', external_subscription_id: 'sub-1', code: 'storage' };

function mapped(raw: unknown) {
  const mapping = fromLagoEvent(raw);
  if (!mapping.ok) throw new Error(`expected a mapping, got ${JSON.stringify(mapping.errors)}`);
  return mapping.event;
}

function errorsOf(raw: unknown) {
  const mapping = fromLagoEvent(raw);
  if (mapping.ok) throw new Error('expected field errors');
  return mapping.errors;
}

describe('lagoTimestampToRfc3339', () => {
  it('reads integer unix seconds', () => {
    expect(lagoTimestampToRfc3339(1704164645)).toBe('2024-01-02T03:04:05Z');
    expect(lagoTimestampToRfc3339(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('reads float seconds without binary rounding, keeping the digits as written', () => {
    expect(lagoTimestampToRfc3339(1704164645.5)).toBe('2024-01-02T03:04:05.5Z');
    expect(lagoTimestampToRfc3339(1704164645.123)).toBe('2024-01-02T03:04:05.123Z');
  });

  it('reads numeric strings, trimming them, and spells one instant one way', () => {
    expect(lagoTimestampToRfc3339('1651240791.123')).toBe('2022-04-29T13:59:51.123Z');
    expect(lagoTimestampToRfc3339(' 1651240791 ')).toBe('2022-04-29T13:59:51Z');
    expect(lagoTimestampToRfc3339('1704164645.500')).toBe(lagoTimestampToRfc3339(1704164645.5));
  });

  it('keeps microseconds and truncates finer digits', () => {
    expect(lagoTimestampToRfc3339('1704164645.1234567')).toBe('2024-01-02T03:04:05.123456Z');
  });

  it('refuses ISO strings, negative, NaN, infinite, exponent and out-of-range values', () => {
    for (const value of [
      '2024-01-02T03:04:05Z',
      '',
      'abc',
      '-1',
      -1,
      NaN,
      Infinity,
      '1e9',
      1e21,
      '1704164645.',
      true,
      {},
      [],
      253402300800,
    ]) {
      expect(lagoTimestampToRfc3339(value), JSON.stringify(value)).toBeUndefined();
    }
    expect(lagoTimestampToRfc3339(253402300799)).toBe('9999-12-31T23:59:59Z');
  });
});

describe('fromLagoEvent', () => {
  it('refuses NUL characters, lone surrogates and deep nesting in the fields it maps, each under its Lago field, before reading any', () => {
    const deep = JSON.parse(`{"a": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`) as Record<string, unknown>;
    expect(
      errorsOf({
        ...base,
        transaction_id: 'tx\u0000',
        external_subscription_id: 'sub-\ud800',
        properties: { note: 'a\u0000' },
      }),
    ).toEqual({
      transaction_id: [expect.stringMatching(/U\+0000/)],
      external_subscription_id: [expect.stringMatching(/lone UTF-16 surrogate/)],
      properties: [expect.stringMatching(/^\/note: must not contain the character U\+0000/)],
    });
    expect(errorsOf({ ...base, properties: deep })).toEqual({
      properties: [expect.stringMatching(/^\/a(\/0){62}: nests deeper than 64 levels/)],
    });
    // Fields Lago drops are not looked at.
    expect(mapped({ ...base, ignored: '\u0000' }).transactionId).toBe('tx-1');
  });

  it('maps a Lago event to a CloudEvent', () => {
    const event = mapped({ ...base, timestamp: 1704164645, properties: { gb: 10 } });
    expect(event.cloudEvent).toEqual({
      specversion: '1.0',
      id: 'tx-1',
      source: 'lago/subscription/sub-1',
      type: 'storage',
      subject: 'sub-1',
      time: '2024-01-02T03:04:05Z',
      data: { gb: 10 },
    });
    expect(event).toMatchObject({
      transactionId: 'tx-1',
      code: 'storage',
      subjectField: 'external_subscription_id',
      time: '2024-01-02T03:04:05Z',
      preciseTotalAmountCents: null,
    });
  });

  it('leaves time out when there is no timestamp, so ingestion stamps the receipt time', () => {
    const event = mapped({ ...base, timestamp: null });
    expect(event.cloudEvent).not.toHaveProperty('time');
    expect(event.time).toBeNull();
    expect(event.cloudEvent.data).toEqual({});
  });

  it('prefers the subscription as subject and source, and falls back to the customer', () => {
    expect(mapped({ ...base, external_customer_id: 'cust-1' }).cloudEvent).toMatchObject({
      subject: 'sub-1',
      source: 'lago/subscription/sub-1',
    });
    const byCustomer = mapped({ transaction_id: 'tx-1', external_customer_id: 'cust-1', code: 'storage' });
    expect(byCustomer.cloudEvent).toMatchObject({ subject: 'cust-1', source: 'lago/customer/cust-1' });
    expect(byCustomer.subjectField).toBe('external_customer_id');
    expect(byCustomer.externalSubscriptionId).toBeNull();
  });

  it('escapes the external id in the source so that it stays a URI reference', () => {
    expect(mapped({ ...base, external_subscription_id: 'a b/c' }).cloudEvent).toMatchObject({
      subject: 'a b/c',
      source: 'lago/subscription/a%20b%2Fc',
    });
  });

  it('keeps precise_total_amount_cents as an extension attribute', () => {
    const event = mapped({ ...base, precise_total_amount_cents: '1234.56' });
    expect(event.cloudEvent.totalamountcents).toBe('1234.56');
    expect(event.preciseTotalAmountCents).toBe('1234.56');
    expect(errorsOf({ ...base, precise_total_amount_cents: 'lots' })).toEqual({
      precise_total_amount_cents: ['value_is_invalid'],
    });
  });

  it('reports every missing field with Lago codes', () => {
    expect(errorsOf({})).toEqual({
      transaction_id: ['value_is_mandatory'],
      code: ['value_is_mandatory'],
      external_subscription_id: ['value_is_mandatory'],
    });
    expect(errorsOf({ ...base, transaction_id: '  ', code: null })).toEqual({
      transaction_id: ['value_is_mandatory'],
      code: ['value_is_mandatory'],
    });
  });

  it('reports a bad timestamp as invalid_format and bad types as value_is_invalid', () => {
    expect(errorsOf({ ...base, timestamp: '2024-01-02T03:04:05Z' })).toEqual({ timestamp: ['invalid_format'] });
    expect(errorsOf({ ...base, code: { a: 1 }, properties: [1] })).toEqual({
      code: ['value_is_invalid'],
      properties: ['value_is_invalid'],
    });
    expect(errorsOf('not an event')).toEqual({ event: ['value_is_invalid'] });
  });

  it('accepts numeric ids as Lago does, and drops fields Lago does not permit', () => {
    const event = mapped({ ...base, transaction_id: 42, organization_id: 'other' });
    expect(event.cloudEvent.id).toBe('42');
    expect(event.cloudEvent).not.toHaveProperty('organization_id');
  });

  it('ignores inherited properties', () => {
    const raw = Object.create({
      transaction_id: 'inherited',
      code: 'inherited',
      external_subscription_id: 'inherited',
    }) as object;
    expect(errorsOf(raw)).toHaveProperty('transaction_id', ['value_is_mandatory']);
  });
});

describe('findConflictsInBatch', () => {
  it('finds a transaction id repeated with other content, not one repeated identically or under another subscription', () => {
    const mappings: LagoEventMapping[] = [
      fromLagoEvent({ ...base, properties: { gb: 1 } }),
      fromLagoEvent({ ...base, properties: { gb: 1 } }),
      fromLagoEvent({ ...base, external_subscription_id: 'sub-2', properties: { gb: 2 } }),
      fromLagoEvent({ ...base, properties: { gb: 3 } }),
      fromLagoEvent({}),
    ];
    expect(findConflictsInBatch(mappings)).toEqual([3]);
  });
});

describe('toLagoFieldErrors', () => {
  it('names the Lago field behind each CloudEvents error, keeping the path inside properties', () => {
    expect(
      toLagoFieldErrors(
        [
          { path: '/time', message: 'is 900 s in the future' },
          { path: '/data/gb', message: 'must be number' },
          { path: '/data/__proto__', message: 'key "__proto__" is not allowed' },
          { path: '/subject', message: 'must be at most 1024 characters' },
          { path: '/id', message: 'must be at most 256 characters' },
          { path: '/type', message: 'no schema is registered' },
          { path: '', message: 'event is 70000 bytes; the limit is 65536' },
        ],
        'external_customer_id',
      ),
    ).toEqual({
      timestamp: ['is 900 s in the future'],
      properties: [
        '/gb: must be number',
        '/__proto__: key "__proto__" is not allowed',
        'event is 70000 bytes; the limit is 65536',
      ],
      external_customer_id: ['must be at most 1024 characters'],
      transaction_id: ['must be at most 256 characters'],
      code: ['no schema is registered'],
    });
  });
});
