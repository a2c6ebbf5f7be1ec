import { describe, expect, it } from 'vitest';
import { validateCatalog } from './validate-catalog.js';
import { catalogErrorsOf, referenceCatalogDocument } from '../../../test/fixtures/reference-catalog.js';

const reference = referenceCatalogDocument;
const errorsOf = catalogErrorsOf;

describe('validateCatalog: the reference catalog', () => {
  it('accepts the documented example and fills in defaults', () => {
    const result = validateCatalog(reference());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.catalog.legalEntities.map((entity) => [entity.code, entity.currency, entity.erpTarget])).toEqual([
      ['US', 'USD', 'netsuite-us'],
      ['EU', 'EUR', 'sap-eu'],
    ]);
    expect(result.catalog.meters.map((meter) => meter.allowNegative)).toEqual([false, false, false]);
    expect(result.catalog.plans[0]?.charges[1]?.prices?.USD).toEqual({
      tiers: [
        { upTo: '1000000', unitPrice: '0' },
        { upTo: null, unitPrice: '0.002' },
      ],
    });
    expect(result.catalog.customers[0]?.externalIds).toEqual({
      crm: '0015g00000AcmeX',
      billing: 'cus_Acme01',
      erp: 'C-10042',
    });
    expect(result.catalog.taxRates).toEqual([
      { region: 'US-CA', rate: '7.25', name: 'California sales tax' },
      { region: 'DE', rate: '19', name: 'Umsatzsteuer' },
    ]);
  });

  it('accepts a catalog without tax rates (invoices carry no tax), filling in an empty list', () => {
    const document = reference();
    delete document.taxRates;
    const result = validateCatalog(document);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.catalog.taxRates).toEqual([]);
    expect(validateCatalog({ ...reference(), taxRates: [] }).ok).toBe(true);
  });

  it('accepts tax rates of 0 and 100 percent, and rates written with decimals', () => {
    const document = reference();
    document.taxRates = [
      { region: 'US-CA', rate: '0', name: 'None' },
      { region: 'DE', rate: '100.000', name: 'All' },
      { region: 'US-NY', rate: '8.875', name: 'New York sales tax' },
    ];
    expect(validateCatalog(document).ok).toBe(true);
  });

  it('does not change the document it checks', () => {
    const document = reference();
    const before = structuredClone(document);
    validateCatalog(document);
    expect(document).toEqual(before);
  });

  it('accepts a file with only its apiVersion as an empty catalog', () => {
    expect(validateCatalog({ apiVersion: 'meterbridge/v1' })).toEqual({
      ok: true,
      catalog: {
        apiVersion: 'meterbridge/v1',
        legalEntities: [],
        customers: [],
        taxRates: [],
        meters: [],
        plans: [],
        subscriptions: [],
      },
    });
  });

  it('accepts back-to-back subscriptions of one customer to one plan', () => {
    const document = reference();
    document.subscriptions[0].end = '2026-06-01T00:00:00Z';
    document.subscriptions.push({
      ...document.subscriptions[0],
      key: 'acme-renewal',
      start: '2026-06-01T00:00:00Z',
      end: undefined,
    });
    delete document.subscriptions[2].end;
    expect(validateCatalog(document).ok).toBe(true);
  });
});

describe('validateCatalog: structure', () => {
  it('refuses another apiVersion, and a missing one', () => {
    expect(errorsOf({ ...reference(), apiVersion: 'meterbridge/v2' })).toEqual([
      { path: '/apiVersion', message: 'must be "meterbridge/v1"' },
    ]);
    const { apiVersion: _apiVersion, ...rest } = reference();
    expect(errorsOf(rest)).toEqual([{ path: '/apiVersion', message: 'is required' }]);
  });

  it('refuses a document that is not an object', () => {
    expect(errorsOf(null)).toEqual([{ path: '', message: 'must be object' }]);
  });

  it('refuses unknown fields at every level, all together', () => {
    const document = reference();
    document.version = 2;
    document.customers[1].email = 'billing@globex.example';
    document.meters[0].filter.status.notIn = [500];
    document.plans[0].charges[2].tiers = [];
    document.subscriptions[0].trial = true;
    expect(errorsOf(document)).toEqual([
      { path: '/version', message: 'is not allowed' },
      { path: '/customers/1/email', message: 'is not allowed' },
      {
        path: '/meters/0/filter/status',
        message: 'must be a string, number, boolean or null, or { in: [...] } listing at least one of them',
      },
      { path: '/plans/0/charges/2/tiers', message: 'is not allowed' },
      { path: '/subscriptions/0/trial', message: 'is not allowed' },
    ]);
  });

  it('refuses invalid data paths in valuePath, groupBy and filter keys', () => {
    const document = reference();
    document.meters[1].valuePath = 'usage..gigabytes';
    document.meters[0].groupBy = ['region', 'constructor'];
    document.meters[2].filter = { 'meta.__proto__.x': 'premium', 'tier name': 'premium' };
    document.meters[2].valuePath = 'duration hours';
    const syntax =
      'must be a dot path into the event\'s data: segments of letters, digits, "_" or "-" joined by "." (such as "usage.input_tokens")';
    const forbidden = 'must not use "__proto__", "constructor" or "prototype" as a segment';
    expect(errorsOf(document)).toEqual([
      { path: '/meters/0/groupBy/1', message: forbidden },
      { path: '/meters/1/valuePath', message: syntax },
      { path: '/meters/2/filter/meta.__proto__.x', message: forbidden },
      { path: '/meters/2/filter/tier name', message: syntax },
      { path: '/meters/2/valuePath', message: syntax },
    ]);
  });

  it('refuses a tax rate with a missing or unknown field, or a rate that is not a string', () => {
    const document = reference();
    document.taxRates[0].rate = 7.25;
    delete document.taxRates[1].name;
    document.taxRates[1].country = 'DE';
    document.taxRates.push({ region: '', rate: '1', name: 'Empty' });
    expect(errorsOf(document)).toEqual([
      { path: '/taxRates/0/rate', message: 'must be string' },
      { path: '/taxRates/1/name', message: 'is required' },
      { path: '/taxRates/1/country', message: 'is not allowed' },
      { path: '/taxRates/2/region', message: 'must not be empty' },
    ]);
  });

  it('requires valuePath unless the aggregation is count', () => {
    const document = reference();
    delete document.meters[1].valuePath;
    expect(errorsOf(document)).toEqual([
      { path: '/meters/1/valuePath', message: 'is required unless aggregation is "count"' },
    ]);
  });

  it('refuses malformed currencies, amounts, enums, times and anchor days', () => {
    const document = reference();
    document.legalEntities[0].currency = 'usd';
    document.plans[0].charges[2].prices = { USD: 0.1, EUR: '0,09', eur: '1' };
    document.plans[0].charges[0].model = 'tiered';
    document.meters[1].aggregation = 'total';
    document.subscriptions[0].start = '2026-01-01';
    document.subscriptions[0].anchorDay = 31;
    document.subscriptions[1].billingPeriod = 'week';
    expect(errorsOf(document)).toEqual([
      { path: '/legalEntities/0/currency', message: 'must be a three-letter ISO 4217 currency code such as "USD"' },
      {
        path: '/meters/1/aggregation',
        message: 'must be one of "sum", "count", "max", "min", "avg", "unique_count", "latest"',
      },
      {
        path: '/plans/0/charges/0/model',
        message:
          'must be one of "flat", "per_unit", "package", "graduated", "volume", "percentage", "graduated_percentage"',
      },
      { path: '/plans/0/charges/2/prices/eur', message: 'must be a three-letter ISO 4217 currency code such as "USD"' },
      {
        path: '/plans/0/charges/2/prices/USD',
        message:
          'must be a decimal string such as "0.002" (quote it, a number would be read as a float) or an object of price fields',
      },
      {
        path: '/subscriptions/0/start',
        message: 'must be an RFC 3339 date-time with a time zone, such as "2026-01-01T00:00:00Z"',
      },
      { path: '/subscriptions/0/anchorDay', message: 'must be <= 28' },
      { path: '/subscriptions/1/billingPeriod', message: 'must be one of "month", "quarter", "year"' },
    ]);
  });

  it('refuses times Date.parse would read differently or not at all: no zone, a space, "+0100", a leap second', () => {
    const document = reference();
    document.meters[1].effectiveFrom = '2026-01-01T00:00:00';
    document.subscriptions[0].start = '2026-01-01 00:00:00Z';
    document.subscriptions[0].end = '2026-12-31T23:59:60Z';
    document.subscriptions[1].start = '2026-02-15T00:00:00+0100';
    const message = 'must be an RFC 3339 date-time with a time zone, such as "2026-01-01T00:00:00Z"';
    expect(errorsOf(document)).toEqual([
      { path: '/meters/1/effectiveFrom', message },
      { path: '/subscriptions/0/start', message },
      { path: '/subscriptions/0/end', message },
      { path: '/subscriptions/1/start', message },
    ]);
  });

  it('refuses malformed keys and a repeated alias of one customer', () => {
    const document = reference();
    document.customers[0].key = 'acme corp';
    document.customers[1].aliases = ['acct_2001', 'acct_2001'];
    expect(errorsOf(document)).toEqual([
      {
        path: '/customers/0/key',
        message:
          'must be a key: a letter or digit, then letters, digits, ".", "_", ":", "@" or "-" (at most 200 characters)',
      },
      { path: '/customers/1/aliases/1', message: 'repeats /customers/1/aliases/0' },
    ]);
  });
});

describe('validateCatalog: hostile values', () => {
  it('refuses a tier that is not an object (null, a number) in a plan or an override, at its path', () => {
    const document = reference();
    document.plans[0].charges[1].prices.USD.tiers.unshift(null);
    document.plans[0].charges[1].prices.EUR.tiers[1] = 7;
    document.subscriptions[0].overrides = { charges: { api: { prices: { USD: { tiers: [null] } } } } };
    expect(errorsOf(document)).toEqual([
      { path: '/plans/0/charges/1/prices/USD/tiers/0', message: 'must be object' },
      { path: '/plans/0/charges/1/prices/EUR/tiers/1', message: 'must be object' },
      { path: '/subscriptions/0/overrides/charges/api/prices/USD/tiers/0', message: 'must be object' },
    ]);
  });

  it('refuses any decimal with more than 60 significant digits, naming the limit, before the rules compute with it', () => {
    const document = reference();
    document.taxRates[0].rate = `7.${'2'.repeat(60)}`;
    document.plans[0].charges[1].prices.USD.tiers[1].unitPrice = `0.${'0'.repeat(10)}${'2'.repeat(61)}`;
    expect(errorsOf(document)).toEqual([
      { path: '/taxRates/0/rate', message: 'has 61 significant digits; at most 60 can be held exactly' },
      {
        path: '/plans/0/charges/1/prices/USD/tiers/1/unitPrice',
        message: 'has 61 significant digits; at most 60 can be held exactly',
      },
    ]);
  });
});
