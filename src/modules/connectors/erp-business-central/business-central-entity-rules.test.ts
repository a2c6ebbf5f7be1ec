import { describe, expect, it } from 'vitest';
import { postingCatalogDocument } from '../../../../test/fixtures/posting-catalog.js';
import { catalogErrorsOf } from '../../../../test/fixtures/reference-catalog.js';
import { validateCatalog } from '../../catalog/index.js';
import { checkBusinessCentralEntity } from './business-central-entity-rules.js';

// What the catalog refuses, when it is applied, for an entity's dimensions on a Business Central target:
// each must be mapped by the target's settings.dimensions to a BC dimension code, one Meterbridge
// dimension per BC dimension, and its value must fit BC's Code[20].

const GUIDS = {
  tenant: '7e5d1b2a-61c4-4a9e-9d55-3f0c2b8e91aa',
  companyId: 'c0a1b2c3-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  clientId: '3f2b8c1d-9e7a-4b6c-8d5e-1a2b3c4d5e6f',
};

/** The posting catalog with the US entity posting to a Business Central target, with `dimensions`. */
function businessCentralCatalog(settings: Record<string, unknown>, dimensions: Record<string, string>) {
  const document = postingCatalogDocument();
  document.targets[0] = {
    key: 'bc-us',
    kind: 'business-central',
    settings: { environment: 'Production', localCurrency: 'USD', ...GUIDS, ...settings },
    credentials: 'BC_US',
  };
  document.legalEntities[0].accounting.target = 'bc-us';
  document.legalEntities[0].accounting.dimensions = dimensions;
  return document;
}

describe('validateCatalog: dimensions of an entity posting to Business Central', () => {
  it('accepts dimensions the settings map to BC dimension codes, in either mode', () => {
    const document = businessCentralCatalog(
      { dimensions: { department: 'DEPARTMENT', location: 'AREA' } },
      { department: 'SALES', location: '30' },
    );
    expect(validateCatalog(document).ok).toBe(true);
    document.legalEntities[0].accounting.mode = 'invoice';
    (document.targets[0] as { settings: Record<string, unknown> }).settings.taxAccount = '23100';
    expect(validateCatalog(document).ok).toBe(true);
  });

  it('refuses a dimension the settings map to no BC dimension, at its path under the accounting', () => {
    const document = businessCentralCatalog(
      { dimensions: { department: 'DEPARTMENT' } },
      { department: 'SALES', class: '3' },
    );
    expect(catalogErrorsOf(document)).toEqual([
      {
        path: '/legalEntities/0/accounting/dimensions/class',
        message:
          'is a dimension the target\'s settings map to no Business Central dimension: add dimensions.class (a Business Central dimension code, such as DEPARTMENT) to the target\'s settings, or remove it from the entity (target "bc-us" is business-central)',
      },
    ]);
    expect(catalogErrorsOf(businessCentralCatalog({}, { location: '7' }))).toMatchObject([
      { path: '/legalEntities/0/accounting/dimensions/location' },
    ]);
  });

  it('refuses two dimensions on one BC dimension and a value past Code[20]', () => {
    const document = businessCentralCatalog(
      { dimensions: { department: 'DEPARTMENT', class: 'DEPARTMENT', location: 'AREA' } },
      { department: 'SALES', class: 'ADM', location: 'L'.repeat(21) },
    );
    expect(catalogErrorsOf(document)).toEqual([
      {
        path: '/legalEntities/0/accounting/dimensions/class',
        message:
          'goes to Business Central dimension DEPARTMENT, as department does: a dimension set holds one value per dimension (target "bc-us" is business-central)',
      },
      {
        path: '/legalEntities/0/accounting/dimensions/location',
        message: `is "${'L'.repeat(21)}", which Business Central cannot hold as a value of dimension AREA: a dimension value code is 1 to 20 characters (Code[20]) (target "bc-us" is business-central)`,
      },
    ]);
  });

  it('refuses settings.dimensions naming a dimension Meterbridge does not have, or a code BC cannot hold', () => {
    const errors = catalogErrorsOf(
      businessCentralCatalog({ dimensions: { region: 'AREA', department: 'department' } }, {}),
    ) as Array<{ path: string }>;
    expect(errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(['/targets/0/settings/dimensions/department']),
    );
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it('is the rule the kind gives the catalog: no settings, no dimension', () => {
    expect(checkBusinessCentralEntity({}, { code: 'US', accounts: { receivable: '13100' }, dimensions: {} })).toEqual(
      [],
    );
  });
});
