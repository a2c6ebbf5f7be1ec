import { describe, expect, it } from 'vitest';
import { postingCatalogDocument } from '../../../test/fixtures/posting-catalog.js';
import { catalogErrorsOf } from '../../../test/fixtures/reference-catalog.js';
import { validateCatalog } from './validate-catalog.js';

// A kind's own limits on what its ledger holds, checked when the catalog is applied (the kind's
// checkEntity): for SAP S/4HANA, G/L accounts of at most 10 capital letters or digits, and dimensions that
// go to an item field (department -> CostCenter and class -> ProfitCenter unless the target maps them).

/** The posting catalog with the US entity posting to an SAP target instead of NetSuite. */
function sapCatalog(settings: Record<string, unknown> = {}) {
  const document = postingCatalogDocument();
  document.targets[0] = {
    key: 'sap-us',
    kind: 'sap-s4hana',
    settings: {
      baseUrl: 'https://my123456-api.s4hana.cloud.sap',
      companyCode: '1710',
      auth: { method: 'basic' },
      ...settings,
    },
    credentials: 'SAP_US',
  };
  document.legalEntities[0].accounting.target = 'sap-us';
  document.legalEntities[0].accounting.dimensions = { department: '17101101', class: 'YB101' };
  return document;
}

describe('validateCatalog: an entity posting to SAP S/4HANA', () => {
  it('accepts accounts and dimensions SAP holds', () => {
    expect(validateCatalog(sapCatalog()).ok).toBe(true);
  });

  it('refuses an account longer than a G/L account and a dimension that goes to no item field, at their paths', () => {
    const document = sapCatalog();
    const { accounting } = document.legalEntities[0];
    accounting.accounts.revenue.charges = { platform_fee: '4010-PLATFORM' };
    accounting.accounts.taxPayable = { 'US-CA': '23000000000' };
    accounting.dimensions = { department: '17101101', location: '7' };
    expect(catalogErrorsOf(document)).toEqual([
      {
        path: '/legalEntities/0/accounting/accounts/revenue/charges/platform_fee',
        message:
          'is "4010-PLATFORM", which SAP cannot post to: a G/L account is 1 to 10 capital letters or digits (target "sap-us" is sap-s4hana)',
      },
      {
        path: '/legalEntities/0/accounting/accounts/taxPayable/US-CA',
        message:
          'is "23000000000", which SAP cannot post to: a G/L account is 1 to 10 capital letters or digits (target "sap-us" is sap-s4hana)',
      },
      {
        path: '/legalEntities/0/accounting/dimensions/location',
        message:
          'goes to no field of an SAP item: map it in the target\'s settings.dimensions (to CostCenter or ProfitCenter) or remove it (target "sap-us" is sap-s4hana)',
      },
    ]);
  });

  it('takes a dimension the target maps, refuses two on one field, and refuses a company code SAP cannot have', () => {
    const document = sapCatalog({
      dimensions: { location: 'ProfitCenter', class: 'ProfitCenter' },
      companyCodes: { US: '17100' },
    });
    document.legalEntities[0].accounting.dimensions = { location: 'YB101', class: 'YB102' };
    expect(catalogErrorsOf(document)).toEqual([
      {
        path: '/targets/0/settings/companyCodes/US',
        message: 'must be an SAP company code: 1 to 4 capital letters or digits, such as "1010"',
      },
      {
        path: '/legalEntities/0/accounting/dimensions/class',
        message:
          'goes to ProfitCenter, as location does: an SAP item has one ProfitCenter (target "sap-us" is sap-s4hana)',
      },
    ]);
  });

  it('refuses invoice mode: SAP targets take journal entries', () => {
    const document = sapCatalog();
    document.legalEntities[0].accounting.mode = 'invoice';
    expect(catalogErrorsOf(document)).toContainEqual(
      expect.objectContaining({ path: '/legalEntities/0/accounting/mode' }),
    );
  });
});
