import { describe, expect, it } from 'vitest';
import { postingCatalogDocument } from '../../../test/fixtures/posting-catalog.js';
import { catalogErrorsOf } from '../../../test/fixtures/reference-catalog.js';
import { validateCatalog } from './validate-catalog.js';

// A Business Central target as the catalog checks it: its settings (GUIDs are ids, not secrets; a client
// secret is never a setting), and the kind's limits on an entity posting to it: G/L account numbers of
// Code[20], and dimensions only where the target's settings map them to a Business Central dimension.

const GUIDS = {
  tenant: '7e5d1b2a-61c4-4a9e-9d55-3f0c2b8e91aa',
  companyId: 'c0a1b2c3-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  clientId: '3f2b8c1d-9e7a-4b6c-8d5e-1a2b3c4d5e6f',
};

/** The posting catalog with the US entity posting to a Business Central target instead of NetSuite. */
function businessCentralCatalog(settings: Record<string, unknown> = {}) {
  const document = postingCatalogDocument();
  document.targets[0] = {
    key: 'bc-us',
    kind: 'business-central',
    settings: { environment: 'Production', localCurrency: 'USD', ...GUIDS, ...settings },
    credentials: 'BC_US',
  };
  document.legalEntities[0].accounting.target = 'bc-us';
  document.legalEntities[0].accounting.dimensions = {};
  return document;
}

describe('validateCatalog: an entity posting to Business Central', () => {
  it('accepts GUID ids in the settings and an entity without dimensions, in either mode', () => {
    expect(validateCatalog(businessCentralCatalog()).ok).toBe(true);
    const invoices = businessCentralCatalog({ taxAccount: '23100', items: { api: 'USAGE' }, postDocuments: false });
    invoices.legalEntities[0].accounting.mode = 'invoice';
    expect(validateCatalog(invoices).ok).toBe(true);
  });

  it('refuses a client secret written into the settings, and settings the kind does not have', () => {
    const errors = catalogErrorsOf(businessCentralCatalog({ clientSecret: 'abc', companyId: 'CRONUS' }));
    expect(errors.map((error) => (error as { path: string }).path)).toEqual(
      expect.arrayContaining(['/targets/0/settings/clientSecret', '/targets/0/settings/companyId']),
    );
  });

  it('refuses an account BC cannot hold and a dimension its settings do not map, at their paths', () => {
    const document = businessCentralCatalog();
    const { accounting } = document.legalEntities[0];
    accounting.accounts.taxPayable = { 'US-CA': '2310000000000000000000' };
    accounting.dimensions = { department: 'SALES' };
    expect(catalogErrorsOf(document)).toEqual([
      {
        path: '/legalEntities/0/accounting/accounts/taxPayable/US-CA',
        message:
          'is "2310000000000000000000", which Business Central cannot post to: a G/L account number is 1 to 20 characters, in upper case (Code[20]) (target "bc-us" is business-central)',
      },
      {
        path: '/legalEntities/0/accounting/dimensions/department',
        message:
          'is a dimension the target\'s settings map to no Business Central dimension: add dimensions.department (a Business Central dimension code, such as DEPARTMENT) to the target\'s settings, or remove it from the entity (target "bc-us" is business-central)',
      },
    ]);
  });
});
