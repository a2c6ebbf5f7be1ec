import { describe, expect, it } from 'vitest';
import { revenueAccountFor } from './revenue-account.js';

const accounting = {
  accounts: {
    receivable: '1200',
    revenue: {
      default: '4000',
      charges: { platform_fee: '4010', api: '4020' },
      meters: { api_calls: '4100', storage_gb: '4200' },
    },
  },
};

describe('revenueAccountFor', () => {
  it("takes the charge's account first, then its meter's, then the default", () => {
    expect(revenueAccountFor(accounting, { key: 'api', meter: 'api_calls' })).toBe('4020');
    expect(revenueAccountFor(accounting, { key: 'storage', meter: 'storage_gb' })).toBe('4200');
    expect(revenueAccountFor(accounting, { key: 'platform_fee' })).toBe('4010');
    expect(revenueAccountFor(accounting, { key: 'support', meter: 'support_hours' })).toBe('4000');
  });

  it('answers undefined without a default, and never an inherited property', () => {
    const noDefault = { accounts: { receivable: '1200', revenue: { charges: { api: '4020' } } } };
    expect(revenueAccountFor(noDefault, { key: 'storage', meter: 'storage_gb' })).toBeUndefined();
    expect(revenueAccountFor(noDefault, { key: 'constructor', meter: 'toString' })).toBeUndefined();
  });
});
