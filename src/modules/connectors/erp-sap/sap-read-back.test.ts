import { describe, expect, it } from 'vitest';
import { PAGE_ROWS } from './sap-client.js';
import { ITEM_FIELDS } from './sap-held.js';
import { isIsoDate, postingDatesFilter, REFERENCES_PER_QUERY, referencesFilter } from './sap-read-back.js';
import { DEFAULT_ODATA_PATH } from './sap-settings-schema.js';

// The read-back's filters: a batch of the longest references stays within the URL length every hop
// passes, and nothing unchecked is ever quoted into a filter.

describe("the item cube's filters", () => {
  it(`keeps a query of ${REFERENCES_PER_QUERY} references of 16 characters under 2,048 characters of URL`, () => {
    const references = Array.from(
      { length: REFERENCES_PER_QUERY },
      (_, index) => `J-${String(index).padStart(14, '9')}`,
    );
    const query = new URLSearchParams({
      $filter: referencesFilter('1710', references),
      $select: ITEM_FIELDS.join(','),
      $orderby: 'CompanyCode,FiscalYear,AccountingDocument,AccountingDocumentItem',
      $top: String(PAGE_ROWS),
      $skip: '9999000',
      $format: 'json',
    });
    const url = `https://my123456-api.s4hana.cloud.sap${DEFAULT_ODATA_PATH}/A_OperationalAcctgDocItemCube?${query.toString().replace(/\+/g, '%20')}`;
    expect(url.length).toBeLessThan(2048);
  });

  it('quotes only checked references, company codes and real dates', () => {
    expect(referencesFilter('1710', ['J-1', 'J-2'])).toBe(
      "CompanyCode eq '1710' and (DocumentReferenceID eq 'J-1' or DocumentReferenceID eq 'J-2')",
    );
    expect(postingDatesFilter('1010', { from: '2026-10-01', to: '2026-10-31' })).toBe(
      "CompanyCode eq '1010' and PostingDate ge datetime'2026-10-01T00:00:00' and PostingDate le datetime'2026-10-31T00:00:00'",
    );
    expect(() => referencesFilter('1710', ["J-1' or CompanyCode ne '"])).toThrow(RangeError);
    expect(() => referencesFilter("1710' or 'a' eq 'a", ['J-1'])).toThrow(RangeError);
    expect(() => referencesFilter('1710', [])).toThrow(RangeError);
    expect(() => postingDatesFilter('1710', { from: "2026-10-01'", to: '2026-10-31' })).toThrow(RangeError);
    expect([isIsoDate('2026-02-29'), isIsoDate('2028-02-29'), isIsoDate('2026-1-01'), isIsoDate('')]).toEqual([
      false,
      true,
      false,
      false,
    ]);
  });
});
