import { DOCUMENT_REFERENCE } from './sap-mapping.js';

// The item cube's $filter for the read-back, built only from values checked here: a reference of letters,
// digits and -, a company code of capitals and digits, a real YYYY-MM-DD date. Nothing in them can end a
// quoted literal or add a clause, so the filter says exactly what it was built to say.

export const COMPANY_CODE = /^[A-Z0-9]{1,4}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * References per request. OData v2 has no `in`: each is a `DocumentReferenceID eq '...'` joined by `or`,
 * about 55 characters once URL-encoded. SAP documents no URL limit for the service; 25 of 16 characters
 * keep the whole URL (host, path, $select, $orderby) under 2,048 characters, the most every proxy and web
 * dispatcher between Meterbridge and the tenant is commonly assumed to pass (sap-read-back.test.ts).
 */
export const REFERENCES_PER_QUERY = 25;

/** Whether the text is a real calendar date, YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The items of the entries of these references in the company code (references and code already checked). */
export function referencesFilter(companyCode: string, references: readonly string[]): string {
  if (
    !COMPANY_CODE.test(companyCode) ||
    references.length === 0 ||
    !references.every((r) => DOCUMENT_REFERENCE.test(r))
  )
    throw new RangeError('a company code and references SAP can hold are checked before a filter is built');
  const any = references.map((reference) => `DocumentReferenceID eq '${reference}'`).join(' or ');
  return `CompanyCode eq '${companyCode}' and (${any})`;
}

/** The items of the entries of the company code posted from `from` to `to`, both included. */
export function postingDatesFilter(companyCode: string, range: { from: string; to: string }): string {
  if (!COMPANY_CODE.test(companyCode) || !isIsoDate(range.from) || !isIsoDate(range.to))
    throw new RangeError('a company code and dates are checked before a filter is built');
  return `CompanyCode eq '${companyCode}' and PostingDate ge datetime'${range.from}T00:00:00' and PostingDate le datetime'${range.to}T00:00:00'`;
}
