import { describe, expect, it } from 'vitest';
import { idempotencyKey, MAX_IDEMPOTENCY_KEY, MAX_METER_IDENTIFIER, meterEventIdentifier } from './stripe-keys.js';
import { checkSecretKey, resolveStripeSettings } from './stripe-settings.js';

describe('idempotency keys and meter event identifiers', () => {
  it('are derived from the posting, the operation and the line only: a retry derives the same key', () => {
    const ref = { externalId: 'INV-2024-0001', line: 3 };
    expect(idempotencyKey('invoice_item', ref)).toBe('mb1:invoice_item:INV-2024-0001:3');
    expect(idempotencyKey('invoice_item', { ...ref })).toBe(idempotencyKey('invoice_item', ref));
    expect(idempotencyKey('invoice_item', { ...ref, line: 4 })).not.toBe(idempotencyKey('invoice_item', ref));
    expect(idempotencyKey('meter_event', ref)).not.toBe(idempotencyKey('invoice_item', ref));
    expect(idempotencyKey('invoice_item', { ...ref, generation: 1 })).toBe('mb1:invoice_item:INV-2024-0001:3:g1');
    expect(meterEventIdentifier(ref)).toBe('mb1:INV-2024-0001:3');
  });

  it("are digests past Stripe's limits or for ids that are not plain, still deterministic and distinct", () => {
    const long = { externalId: 'X'.repeat(300), line: 1 };
    expect(idempotencyKey('invoice_item', long)).toMatch(/^mb1:invoice_item:sha256:[0-9a-f]{64}$/);
    expect(idempotencyKey('invoice_item', long).length).toBeLessThanOrEqual(MAX_IDEMPOTENCY_KEY);
    expect(meterEventIdentifier({ externalId: 'Y'.repeat(99), line: 1 }).length).toBeLessThanOrEqual(
      MAX_METER_IDENTIFIER,
    );
    const spaced = idempotencyKey('invoice_item', { externalId: 'a b', line: 1 });
    expect(spaced).toMatch(/sha256/);
    expect(spaced).toBe(idempotencyKey('invoice_item', { externalId: 'a b', line: 1 }));
    expect(spaced).not.toBe(idempotencyKey('invoice_item', { externalId: 'a b', line: 2 }));
    expect(() => idempotencyKey('invoice_item', { externalId: 'A', line: 1.5 })).toThrow(RangeError);
  });
});

describe('Stripe settings', () => {
  it("leaves the host to the client for Stripe's own API, and points it at an emulator's origin", () => {
    expect(resolveStripeSettings()).toMatchObject({ apiVersion: '2024-04-10', protocol: 'https' });
    expect(resolveStripeSettings().host).toBeUndefined();
    expect(resolveStripeSettings({ apiBaseUrl: 'http://127.0.0.1:12111', timeoutMs: 2000 })).toMatchObject({
      host: '127.0.0.1',
      port: 12111,
      protocol: 'http',
      timeoutMs: 2000,
    });
  });

  it('refuses what it cannot use as an auth failure that quotes no secret', () => {
    expect(() => resolveStripeSettings({ apiBaseUrl: 'ftp://x' })).toThrow(/http/);
    expect(() => resolveStripeSettings({ apiBaseUrl: 'https://api.stripe.com/v1' })).toThrow(/origin only/);
    expect(() => resolveStripeSettings({ apiVersion: 'latest' })).toThrow(/API version/);
    expect(() => resolveStripeSettings({ timeoutMs: 5 })).toThrow(/timeoutMs/);
    expect(() => checkSecretKey('pk_test_publishable123')).toThrow(expect.objectContaining({ failureClass: 'auth' }));
    try {
      checkSecretKey('whsec_verysecretvalue');
    } catch (error) {
      expect(String(error)).not.toContain('verysecretvalue');
    }
    expect(checkSecretKey(' sk_test_abcd1234 ')).toBe('sk_test_abcd1234');
  });
});
