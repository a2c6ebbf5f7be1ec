import { describe, expect, it } from 'vitest';
import { catalogErrorsOf, referenceCatalogDocument } from '../../../test/fixtures/reference-catalog.js';
import { validateCatalog } from './validate-catalog.js';

const reference = referenceCatalogDocument;
const errorsOf = catalogErrorsOf;

describe('validateCatalog: rules across objects', () => {
  it('refuses duplicate keys within each kind, at the second one', () => {
    const document = reference();
    document.legalEntities.push({ ...document.legalEntities[0], name: 'Example Cloud, LLC' });
    document.customers.push({ ...document.customers[0], aliases: [] });
    document.meters.push({ ...document.meters[2] });
    document.plans[0].charges.push({
      key: 'api',
      meter: 'api_calls',
      model: 'per_unit',
      prices: { USD: '1', EUR: '1' },
    });
    document.plans.push({ ...document.plans[0] });
    document.subscriptions.push({ ...document.subscriptions[1], customer: 'acme', plan: 'other' });
    expect(errorsOf(document)).toEqual([
      { path: '/legalEntities/2/code', message: '"US" is already the code of /legalEntities/0' },
      { path: '/customers/2/key', message: '"acme" is already the key of /customers/0' },
      { path: '/meters/3/key', message: '"support_hours" is already the key of /meters/2' },
      { path: '/plans/1/key', message: '"growth" is already the key of /plans/0' },
      { path: '/subscriptions/2/key', message: '"globex-growth-2026" is already the key of /subscriptions/1' },
      { path: '/plans/0/charges/4/key', message: '"api" is already the key of /plans/0/charges/1' },
      { path: '/plans/1/charges/4/key', message: '"api" is already the key of /plans/1/charges/1' },
      { path: '/subscriptions/2/plan', message: 'refers to plan "other", which the catalog does not declare' },
    ]);
  });

  it('refuses dangling references from customers, charges and subscriptions', () => {
    const document = reference();
    document.customers[1].legalEntity = 'UK';
    document.plans[0].charges[3].meter = 'support_minutes';
    document.subscriptions[0].plan = 'enterprise';
    document.subscriptions[1].customer = 'initech';
    expect(errorsOf(document)).toEqual([
      { path: '/customers/1/legalEntity', message: 'refers to legal entity "UK", which the catalog does not declare' },
      {
        path: '/plans/0/charges/3/meter',
        message: 'refers to meter "support_minutes", which the catalog does not declare',
      },
      { path: '/subscriptions/0/plan', message: 'refers to plan "enterprise", which the catalog does not declare' },
      {
        path: '/subscriptions/1/customer',
        message: 'refers to customer "initech", which the catalog does not declare',
      },
    ]);
  });

  it('requires a meter on every charge model but flat', () => {
    const document = reference();
    delete document.plans[0].charges[2].meter;
    expect(errorsOf(document)).toEqual([
      { path: '/plans/0/charges/2/meter', message: 'is required: a "per_unit" charge prices a meter\'s usage' },
    ]);
  });

  it('refuses currency codes that are not active ISO 4217 codes, wherever they appear', () => {
    const document = reference();
    document.legalEntities[1].currency = 'ECU';
    document.customers[0].currency = 'XYZ';
    document.plans[0].currency = 'HRK';
    document.plans[0].charges[0].prices = { USD: '500.00', EUR: '460.00', XAU: '1' };
    expect(errorsOf(document)).toEqual([
      { path: '/legalEntities/1/currency', message: '"ECU" is not an active ISO 4217 currency code' },
      { path: '/customers/0/currency', message: '"XYZ" is not an active ISO 4217 currency code' },
      { path: '/plans/0/currency', message: '"HRK" is not an active ISO 4217 currency code' },
      { path: '/plans/0/charges/0/prices/XAU', message: '"XAU" is not an active ISO 4217 currency code' },
      {
        path: '/subscriptions/0/plan',
        message:
          'plan "growth" has no XYZ price for charge "platform_fee", "api", "storage", "premium_support", but customer "acme" is billed in XYZ',
      },
    ]);
  });

  it('refuses a second tax rate for one region, at its region', () => {
    const document = reference();
    document.taxRates.push({ region: 'US-CA', rate: '8', name: 'California sales tax (new)' });
    expect(errorsOf(document)).toEqual([
      { path: '/taxRates/2/region', message: '"US-CA" is already the region of /taxRates/0' },
    ]);
  });

  it('refuses a tax rate that is not a percent from 0 to 100: negative, over 100 or not a decimal', () => {
    const document = reference();
    document.taxRates[0].rate = '-1';
    document.taxRates[1].rate = '101';
    document.taxRates.push({ region: 'US-NY', rate: 'abc', name: 'New York sales tax' });
    document.taxRates.push({ region: 'FR', rate: '100.0000001', name: 'TVA' });
    document.taxRates.push({ region: 'NL', rate: '7,5', name: 'BTW' });
    expect(errorsOf(document)).toEqual([
      { path: '/taxRates/0/rate', message: 'must be a percent from 0 to 100; -1 is negative' },
      { path: '/taxRates/1/rate', message: 'must be a percent from 0 to 100; 101 is over 100' },
      { path: '/taxRates/2/rate', message: 'must be a percent as a decimal string from 0 to 100, such as "7.25"' },
      { path: '/taxRates/3/rate', message: 'must be a percent from 0 to 100; 100.0000001 is over 100' },
      { path: '/taxRates/4/rate', message: 'must be a percent as a decimal string from 0 to 100, such as "7.25"' },
    ]);
  });

  it('refuses a customer whose tax region has no tax rate once any is declared, and not when none is', () => {
    const document = reference();
    document.customers.push({
      key: 'initech',
      name: 'Initech Ltd',
      legalEntity: 'EU',
      currency: 'EUR',
      taxRegion: 'GB',
    });
    document.customers[0].taxRegion = 'US-NY';
    expect(errorsOf(document)).toEqual([
      { path: '/customers/0/taxRegion', message: 'no tax rate is declared for tax region "US-NY"' },
      { path: '/customers/2/taxRegion', message: 'no tax rate is declared for tax region "GB"' },
    ]);
    delete document.taxRates;
    expect(validateCatalog(document).ok).toBe(true);
  });

  it("refuses a subject that maps to two customers, as an alias or as another customer's key", () => {
    const document = reference();
    document.customers[1].aliases = ['acct_2001', 'acct_1002', 'acme'];
    expect(errorsOf(document)).toEqual([
      {
        path: '/customers/1/aliases/1',
        message: 'subject "acct_1002" already belongs to customer "acme" (/customers/0/aliases/1)',
      },
      {
        path: '/customers/1/aliases/2',
        message: 'subject "acme" already belongs to customer "acme" (/customers/0/key)',
      },
    ]);
  });

  it('refuses a subscription that ends at or before its start', () => {
    const document = reference();
    document.subscriptions[0].end = '2025-12-31T23:00:00Z';
    document.subscriptions[1].end = '2026-02-14T23:00:00Z'; // the same instant as its start, written in UTC
    expect(errorsOf(document)).toEqual([
      { path: '/subscriptions/0/end', message: 'must be after start (2026-01-01T00:00:00Z)' },
      { path: '/subscriptions/1/end', message: 'must be after start (2026-02-15T00:00:00+01:00)' },
    ]);
  });

  it('refuses overlapping subscriptions of one customer to one plan, naming both', () => {
    // given acme on growth from 2026-01-01 with no end
    const document = reference();
    // when a second one starts mid-year and a third is open-ended from before the first
    document.subscriptions.push({
      key: 'acme-2',
      customer: 'acme',
      plan: 'growth',
      start: '2026-06-01T00:00:00Z',
      billingPeriod: 'year',
    });
    document.subscriptions.push({
      key: 'acme-old',
      customer: 'acme',
      plan: 'growth',
      start: '2025-01-01T00:00:00Z',
      end: '2026-01-01T00:00:01Z',
      billingPeriod: 'month',
    });
    // then each later one is refused, naming the one it overlaps
    expect(errorsOf(document)).toEqual([
      {
        path: '/subscriptions/2',
        message:
          '/subscriptions/0 and /subscriptions/2 both subscribe customer "acme" to plan "growth" from 2026-06-01T00:00:00Z',
      },
      {
        path: '/subscriptions/3',
        message:
          '/subscriptions/0 and /subscriptions/3 both subscribe customer "acme" to plan "growth" from 2026-01-01T00:00:00Z',
      },
    ]);
  });

  it('refuses a customer billed in a currency its subscribed plan does not price', () => {
    const document = reference();
    document.customers.push({
      key: 'initech',
      name: 'Initech Ltd',
      legalEntity: 'EU',
      currency: 'GBP',
      taxRegion: 'GB',
    });
    document.taxRates.push({ region: 'GB', rate: '20', name: 'VAT' });
    document.subscriptions.push({
      key: 'initech-growth',
      customer: 'initech',
      plan: 'growth',
      start: '2026-03-01T00:00:00Z',
      billingPeriod: 'month',
    });
    document.plans[0].charges[1].prices.GBP = { tiers: [{ upTo: null, unitPrice: '0.0016' }] };
    expect(errorsOf(document)).toEqual([
      {
        path: '/subscriptions/2/plan',
        message:
          'plan "growth" has no GBP price for charge "platform_fee", "storage", "premium_support", but customer "initech" is billed in GBP',
      },
    ]);
  });

  it('refuses a charge priced in no currency', () => {
    const document = reference();
    delete document.plans[0].charges[0].prices;
    document.plans[0].charges[2].prices = {};
    expect(errorsOf(document)).toEqual([
      { path: '/plans/0/charges/0/prices', message: 'must price the charge in at least one currency' },
      { path: '/plans/0/charges/2/prices', message: 'must price the charge in at least one currency' },
      {
        path: '/subscriptions/0/plan',
        message:
          'plan "growth" has no USD price for charge "platform_fee", "storage", but customer "acme" is billed in USD',
      },
      {
        path: '/subscriptions/1/plan',
        message:
          'plan "growth" has no EUR price for charge "platform_fee", "storage", but customer "globex" is billed in EUR',
      },
    ]);
  });

  it('reports every error of a file together', () => {
    const document = reference();
    document.customers[1].legalEntity = 'UK';
    document.customers[1].currency = 'EUX';
    document.customers[1].aliases = ['acct_1001'];
    document.meters.push({ ...document.meters[0] });
    document.subscriptions[1].plan = 'enterprise';
    document.subscriptions.push({
      key: 'acme-2',
      customer: 'acme',
      plan: 'growth',
      start: '2026-02-01T00:00:00Z',
      billingPeriod: 'month',
    });
    document.customers[1].taxRegion = 'AT';
    document.taxRates.push({ ...document.taxRates[1], rate: '-19' });
    expect(errorsOf(document)).toEqual([
      { path: '/taxRates/2/region', message: '"DE" is already the region of /taxRates/1' },
      { path: '/meters/3/key', message: '"api_calls" is already the key of /meters/0' },
      { path: '/customers/1/legalEntity', message: 'refers to legal entity "UK", which the catalog does not declare' },
      { path: '/customers/1/currency', message: '"EUX" is not an active ISO 4217 currency code' },
      { path: '/customers/1/taxRegion', message: 'no tax rate is declared for tax region "AT"' },
      { path: '/taxRates/2/rate', message: 'must be a percent from 0 to 100; -19 is negative' },
      { path: '/subscriptions/1/plan', message: 'refers to plan "enterprise", which the catalog does not declare' },
      {
        path: '/customers/1/aliases/0',
        message: 'subject "acct_1001" already belongs to customer "acme" (/customers/0/aliases/0)',
      },
      {
        path: '/subscriptions/2',
        message:
          '/subscriptions/0 and /subscriptions/2 both subscribe customer "acme" to plan "growth" from 2026-02-01T00:00:00Z',
      },
    ]);
  });

  it('checks contract overrides: a discount from 0 to 100, and overridden charges of the plan priced by the plan rules', () => {
    const document = reference();
    document.subscriptions[0].overrides = {
      discountPercent: '120',
      charges: {
        nonexistent: { prices: { USD: '1' } },
        storage: { prices: { USD: '-0.05' } },
        api: { config: { freeUnits: '10', rate: '1' } },
      },
    };
    expect(errorsOf(document)).toEqual([
      {
        path: '/subscriptions/0/overrides/discountPercent',
        message: 'must be a percent as a decimal string from 0 to 100, such as "10"',
      },
      {
        path: '/subscriptions/0/overrides/charges/nonexistent',
        message: 'plan "growth" has no charge "nonexistent" to override',
      },
      { path: '/subscriptions/0/overrides/charges/storage/prices/USD/unitPrice', message: 'must not be negative' },
      {
        path: '/subscriptions/0/overrides/charges/api/config/rate',
        message: 'is not a setting of a graduated charge (allowed: freeUnits, quantityRounding)',
      },
    ]);
  });

  it('checks prepaid credits: unique keys, an amount above 0 the currency can state, a validity overlapping the subscription, charges of the plan', () => {
    const document = reference();
    document.subscriptions[0].credits = [
      { key: 'fy26', kind: 'commit', amount: '0' },
      { key: 'fy26', kind: 'grant', amount: '10.005' },
      {
        key: 'late',
        kind: 'grant',
        amount: '5',
        effectiveFrom: '2026-06-01T00:00:00Z',
        expiresAt: '2026-05-01T00:00:00Z',
      },
      {
        key: 'early',
        kind: 'grant',
        amount: '5',
        effectiveFrom: '2025-01-01T00:00:00Z',
        expiresAt: '2025-06-01T00:00:00Z',
        charges: ['api', 'hosting'],
      },
    ];
    document.subscriptions[1].credits = [
      { key: 'after-end', kind: 'grant', amount: '1', effectiveFrom: '2027-03-01T00:00:00Z' },
    ];
    expect(errorsOf(document)).toEqual([
      { path: '/subscriptions/0/credits/1/key', message: '"fy26" is already the key of /subscriptions/0/credits/0' },
      { path: '/subscriptions/0/credits/0/amount', message: 'must be more than 0' },
      {
        path: '/subscriptions/0/credits/1/amount',
        message: 'must have at most 2 decimal places: customer "acme" is billed in USD',
      },
      {
        path: '/subscriptions/0/credits/2/expiresAt',
        message: 'must be after the credit takes effect (2026-06-01T00:00:00Z)',
      },
      {
        path: '/subscriptions/0/credits/3/expiresAt',
        message: 'must be after the subscription starts (2026-01-01T00:00:00Z)',
      },
      { path: '/subscriptions/0/credits/3/charges/1', message: 'plan "growth" has no charge "hosting"' },
      {
        path: '/subscriptions/1/credits/0/effectiveFrom',
        message: 'must be before the subscription ends (2027-02-15T00:00:00+01:00)',
      },
    ]);
  });

  it('refuses malformed credits by the schema: unknown kind, a number for an amount, unknown fields, a repeated charge', () => {
    const document = reference();
    document.subscriptions[0].credits = [
      { key: 'x', kind: 'voucher', amount: 5, charges: ['api', 'api'], refundable: true },
    ];
    expect(errorsOf(document)).toEqual(
      expect.arrayContaining([
        { path: '/subscriptions/0/credits/0/kind', message: 'must be one of "commit", "grant"' },
        { path: '/subscriptions/0/credits/0/amount', message: 'must be string' },
        { path: '/subscriptions/0/credits/0/refundable', message: 'is not allowed' },
        { path: '/subscriptions/0/credits/0/charges/1', message: 'repeats /subscriptions/0/credits/0/charges/0' },
      ]),
    );
  });

  it("accepts a plan's late-usage policy and threshold, and refuses a malformed threshold there", () => {
    const document = reference();
    document.plans[0].latePolicy = 'memo';
    document.plans[0].lateMaterialityThreshold = '5.00';
    expect(validateCatalog(document).ok).toBe(true);
    document.plans[0].lateMaterialityThreshold = '-1';
    document.plans[0].latePolicy = 'ignore';
    expect(errorsOf(document)).toEqual([
      { path: '/plans/0/latePolicy', message: 'must be one of "roll_forward", "memo", "reissue"' },
      {
        path: '/plans/0/lateMaterialityThreshold',
        message: 'must be an amount as a decimal string, 0 or more, such as "5.00"',
      },
    ]);
  });
});
