import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { TARGET_KINDS } from './connector.js';
import { DEFAULT_TARGET_LIMITS, TARGET_KIND_SPECS, targetKindSpec } from './target-kinds.js';

function compile(schema: object) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  ajvFormats.default(ajv, { mode: 'full', keywords: false });
  return ajv.compile(schema);
}

describe('TARGET_KIND_SPECS', () => {
  it('describes every target kind under its own name: a ledger with at least one mode, or a billing platform with none', () => {
    expect(Object.keys(TARGET_KIND_SPECS).sort()).toEqual([...TARGET_KINDS].sort());
    for (const [kind, spec] of Object.entries(TARGET_KIND_SPECS)) {
      expect(spec.kind).toBe(kind);
      expect(spec.modes.length > 0, kind).toBe(spec.billing === undefined);
    }
  });

  it("takes Stripe's settings for either hand-off, and refuses a meter event name Stripe would not take", () => {
    const validate = compile(TARGET_KIND_SPECS.stripe.settingsSchema);
    expect(validate({ send: 'invoice_items' })).toBe(true);
    expect(validate({ send: 'meter_events', meters: { tokens: 'llm_tokens' }, apiBaseUrl: 'http://127.0.0.1:1' })).toBe(
      true,
    );
    expect(validate({ send: 'meter_events', meters: { tokens: 'llm tokens' } })).toBe(false);
    expect(validate({ send: 'invoices' })).toBe(false);
    expect(validate({ send: 'invoice_items', secretKey: 'sk_test_x' })).toBe(false);
  });

  it('checks a subscription billed by meter events: a Stripe meter per meter, monthly periods only', () => {
    const check = TARGET_KIND_SPECS.stripe.billing!.checkBilled!;
    const billed = { subscription: 'acme-team', billingPeriod: 'quarter', meters: ['tokens', 'a/b'] };
    expect(check({ send: 'invoice_items' }, billed)).toEqual([]);
    expect(check({ send: 'meter_events', meters: { tokens: 'llm_tokens' } }, billed).map((p) => p.path)).toEqual([
      '/meters/a~1b',
      '/send',
    ]);
  });

  it('has a connector for netsuite, webhook, file and business-central (at least) in this release', () => {
    const withConnector = TARGET_KINDS.filter((kind) => TARGET_KIND_SPECS[kind].connector);
    expect(withConnector).toEqual(expect.arrayContaining(['netsuite', 'webhook', 'file', 'business-central']));
  });

  it('compiles every settings schema in strict mode', () => {
    for (const spec of Object.values(TARGET_KIND_SPECS)) expect(() => compile(spec.settingsSchema)).not.toThrow();
  });

  it('accepts each auth method of NetSuite with its own ids only', () => {
    const validate = compile(TARGET_KIND_SPECS.netsuite.settingsSchema);
    const base = { accountId: '1234567_SB1', baseUrl: 'https://1234567-sb1.suitetalk.api.netsuite.com' };
    expect(validate({ ...base, auth: { method: 'oauth2-m2m', clientId: 'c', certificateId: 'k' } })).toBe(true);
    expect(validate({ ...base, auth: { method: 'tba', realm: '1234567_SB1' } })).toBe(true);
    expect(validate({ ...base, auth: { method: 'tba', clientId: 'c' } })).toBe(false);
    expect(validate({ ...base, auth: { method: 'oauth2-m2m', clientId: 'c' } })).toBe(false);
  });

  it('finds a kind by name, and no kind for an inherited property name', () => {
    expect(targetKindSpec('file')?.modes).toEqual(['journal', 'invoice']);
    expect(targetKindSpec('toString')).toBeUndefined();
  });

  it('defaults limits to 5 requests per second and 2 at a time', () => {
    expect(DEFAULT_TARGET_LIMITS).toEqual({ requestsPerSecond: 5, concurrency: 2 });
  });
});
