import { describe, expect, it } from 'vitest';
import { postingCatalogDocument } from '../../../test/fixtures/posting-catalog.js';
import { catalogErrorsOf, referenceCatalogDocument } from '../../../test/fixtures/reference-catalog.js';
import { TARGET_KIND_SPECS } from '../connectors/index.js';
import { checkAccounting } from './accounting-rules.js';
import type { Catalog } from './catalog.js';
import { validateCatalog } from './validate-catalog.js';

const posting = postingCatalogDocument;
const errorsOf = catalogErrorsOf;

describe('validateCatalog: targets and accounting', () => {
  it('accepts the posting catalog, filling in default limits and the posting date', () => {
    const result = validateCatalog(posting());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.catalog.targets?.map((target) => [target.key, target.limits])).toEqual([
      ['netsuite-us', { requestsPerSecond: 10, concurrency: 4 }],
      ['eu-export', { requestsPerSecond: 5, concurrency: 2 }],
    ]);
    expect(result.catalog.legalEntities.map((entity) => entity.accounting?.postingDate)).toEqual([
      'period_end',
      'document',
    ]);
  });

  it('adds no targets list to a catalog that declares none', () => {
    const result = validateCatalog(referenceCatalogDocument());
    expect(result.ok && result.catalog).not.toHaveProperty('targets');
  });

  it('accepts an entity with neither erpTarget nor accounting, and erpTarget equal to accounting.target', () => {
    const document = posting();
    document.legalEntities[0].erpTarget = 'netsuite-us';
    document.legalEntities.push({ code: 'UK', name: 'Example Cloud Ltd', currency: 'GBP', region: 'europe' });
    expect(validateCatalog(document).ok).toBe(true);
  });

  it('keeps erpTarget a label when there is no accounting: undeclared targets are no error', () => {
    const document = referenceCatalogDocument();
    document.targets = [];
    expect(validateCatalog(document).ok).toBe(true);
  });

  it('refuses duplicate target keys and unknown kinds at the target, and checks a billing kind by its schema', () => {
    const document = posting();
    document.targets.push({ ...document.targets[1] });
    document.targets.push({ key: 'stripe-eu', kind: 'stripe', settings: {}, credentials: 'STRIPE_EU' });
    document.targets.push({ key: 'erp', kind: 'sap', settings: {} });
    expect(errorsOf(document)).toEqual([
      { path: '/targets/2/key', message: '"eu-export" is already the key of /targets/1' },
      { path: '/targets/3/settings/send', message: 'is required' },
      {
        path: '/targets/4/kind',
        message:
          '"sap" is not a known target kind; the kinds with a connector are netsuite, webhook, file, sap-s4hana, business-central, oracle-fusion and stripe',
      },
    ]);
  });

  it('refuses a legal entity posting to a billing platform, which keeps no ledger', () => {
    const document = posting();
    document.targets.push({
      key: 'stripe',
      kind: 'stripe',
      settings: { send: 'invoice_items' },
      credentials: 'STRIPE',
    });
    document.legalEntities[0].accounting.target = 'stripe';
    expect(errorsOf(document)).toEqual([
      {
        path: '/legalEntities/0/accounting/target',
        message:
          'target "stripe" is a stripe target, a billing platform that keeps no ledger: name it in a plan\'s or subscription\'s billedIn, and post the entity to an ERP',
      },
    ]);
  });

  it("refuses settings that break their kind's schema, each at its path under the target's settings", () => {
    const document = posting();
    const netsuite = document.targets[0].settings;
    netsuite.baseUrl = 'ftp://example.com';
    netsuite.timeoutMs = 10;
    delete netsuite.accountId;
    netsuite.auth = { method: 'tba', clientId: 'abc' };
    document.targets[1].settings.formats = ['xml'];
    document.targets.push({
      key: 'hook',
      kind: 'webhook',
      settings: { headers: { 'bad header': 'x' } },
      credentials: 'HOOK',
    });
    expect(errorsOf(document)).toEqual([
      { path: '/targets/0/settings/accountId', message: 'is required' },
      { path: '/targets/0/settings/baseUrl', message: 'must be an http:// or https:// URL' },
      { path: '/targets/0/settings/auth/clientId', message: 'is not allowed with the method chosen' },
      { path: '/targets/0/settings/timeoutMs', message: 'must be >= 1000' },
      { path: '/targets/1/settings/formats/0', message: 'must be one of "csv", "jsonl"' },
      { path: '/targets/2/settings/url', message: 'is required' },
      { path: '/targets/2/settings/headers/bad header', message: 'must be an HTTP header name' },
    ]);
  });

  it('requires oauth2-m2m ids and a credentials name where the kind authenticates', () => {
    const document = posting();
    document.targets[0].settings.auth = { method: 'oauth2-m2m' };
    delete document.targets[0].credentials;
    expect(errorsOf(document)).toEqual([
      {
        path: '/targets/0/credentials',
        message: "is required: a netsuite target authenticates with a secret; give the secret's name",
      },
      { path: '/targets/0/settings/auth/clientId', message: 'is required' },
      { path: '/targets/0/settings/auth/certificateId', message: 'is required' },
    ]);
  });

  it('refuses a credentials value that is not a secret name (schema), and limits out of range', () => {
    const document = posting();
    document.targets[0].credentials = 'netsuite-us';
    document.targets[1].limits = { requestsPerSecond: 0, concurrency: 1.5 };
    expect(errorsOf(document)).toEqual([
      {
        path: '/targets/0/credentials',
        message:
          'must be the name of a secret, not a secret: an upper-case letter, then upper-case letters, digits or "_" (read from MB_SECRET_<NAME> or the secrets file)',
      },
      { path: '/targets/1/limits/requestsPerSecond', message: 'must be > 0' },
      { path: '/targets/1/limits/concurrency', message: 'must be integer' },
    ]);
  });

  it("refuses a mode the target's kind does not take, at the entity's accounting.mode", () => {
    const result = validateCatalog(posting());
    if (!result.ok) throw new Error('the posting catalog is valid');
    const errors: unknown[] = [];
    const catalog: Catalog = result.catalog;
    const indexes = {
      targets: new Map([
        ['netsuite-us', 0],
        ['eu-export', 1],
      ]),
      meters: new Map(catalog.meters.map((meter, m) => [meter.key, m])),
      plans: new Map([['growth', 0]]),
      taxRates: new Map([
        ['US-CA', 0],
        ['DE', 1],
      ]),
    };
    const journalOnlyFiles = { ...TARGET_KIND_SPECS, file: { ...TARGET_KIND_SPECS.file, modes: ['journal'] as const } };
    checkAccounting(catalog, indexes, (path, message) => errors.push({ path, message }), journalOnlyFiles);
    expect(errors).toEqual([
      {
        path: '/legalEntities/1/accounting/mode',
        message: 'target "eu-export" is a file target, which takes "journal" postings, not "invoice"',
      },
    ]);
  });

  it('refuses an undeclared accounting target and erpTarget disagreeing with it', () => {
    const document = posting();
    document.legalEntities[0].accounting.target = 'netsuite-eu';
    document.legalEntities[1].erpTarget = 'sap-eu';
    const modes = validateCatalog(document);
    expect(modes.ok ? [] : modes.errors).toEqual([
      {
        path: '/legalEntities/0/accounting/target',
        message: 'refers to target "netsuite-eu", which the catalog does not declare',
      },
      {
        path: '/legalEntities/1/erpTarget',
        message: '"sap-eu" differs from accounting.target "eu-export": remove erpTarget or make them equal',
      },
    ]);
  });

  it('refuses a charge billed to a posted entity that resolves to no revenue account, at the charge, once per entity', () => {
    const document = posting();
    delete document.legalEntities[0].accounting.accounts.revenue.default;
    document.legalEntities[1].accounting.accounts.revenue = { meters: { api_calls: '800100' } };
    expect(errorsOf(document)).toEqual([
      {
        path: '/plans/0/charges/1',
        message:
          'has no revenue account in legal entity "US", whose customer "acme" is billed by it: add revenue.charges.api, revenue.meters.api_calls or revenue.default at /legalEntities/0/accounting/accounts',
      },
      {
        path: '/plans/0/charges/2',
        message:
          'has no revenue account in legal entity "US", whose customer "acme" is billed by it: add revenue.charges.storage, revenue.meters.storage_gb or revenue.default at /legalEntities/0/accounting/accounts',
      },
      {
        path: '/plans/0/charges/0',
        message:
          'has no revenue account in legal entity "EU", whose customer "globex" is billed by it: add revenue.charges.platform_fee or revenue.default at /legalEntities/1/accounting/accounts',
      },
      expect.objectContaining({ path: '/plans/0/charges/2' }),
      expect.objectContaining({ path: '/plans/0/charges/3' }),
    ]);
  });

  it('refuses revenue accounts keyed by a charge or meter the catalog does not have', () => {
    const document = posting();
    document.legalEntities[0].accounting.accounts.revenue.charges.platform_fees = '4011';
    document.legalEntities[0].accounting.accounts.revenue.meters.support = '4301';
    expect(errorsOf(document)).toEqual([
      {
        path: '/legalEntities/0/accounting/accounts/revenue/charges/platform_fees',
        message: 'no plan has a charge "platform_fees"',
      },
      {
        path: '/legalEntities/0/accounting/accounts/revenue/meters/support',
        message: 'refers to meter "support", which the catalog does not declare',
      },
    ]);
  });

  it('refuses a taxed region of a posted entity without a tax payable account, not a 0 % one', () => {
    const document = posting();
    delete document.legalEntities[0].accounting.accounts.taxPayable;
    document.customers.push({ ...document.customers[0], key: 'initech', aliases: [] });
    expect(errorsOf(document)).toEqual([
      {
        path: '/customers/0/taxRegion',
        message:
          'tax region "US-CA" is taxed but legal entity "US" has no tax payable account for it (/legalEntities/0/accounting/accounts/taxPayable)',
      },
    ]);
    document.taxRates[0].rate = '0';
    expect(validateCatalog(document).ok).toBe(true);
  });

  it("refuses an invoice-mode entity's customer without externalIds.erp, at that id's path", () => {
    const document = posting();
    delete document.customers[1].externalIds.erp;
    document.customers.push({ key: 'umbrella', name: 'Umbrella', legalEntity: 'EU', currency: 'EUR', taxRegion: 'DE' });
    // A journal-mode entity's customers need no ERP id.
    delete document.customers[0].externalIds;
    expect(errorsOf(document)).toEqual([
      {
        path: '/customers/1/externalIds/erp',
        message:
          'is required: legal entity "EU" posts one ERP invoice per document, made out to the customer\'s ERP id',
      },
      {
        path: '/customers/2/externalIds/erp',
        message:
          'is required: legal entity "EU" posts one ERP invoice per document, made out to the customer\'s ERP id',
      },
    ]);
  });

  it("reports every posting error together with the catalog's other errors", () => {
    const document = posting();
    document.customers[0].legalEntity = 'UK';
    document.targets[1].kind = 'ledger';
    delete document.customers[1].externalIds;
    expect(errorsOf(document).map((error) => (error as { path: string }).path)).toEqual([
      '/customers/0/legalEntity',
      '/targets/1/kind',
      '/customers/1/externalIds/erp',
    ]);
  });
});
