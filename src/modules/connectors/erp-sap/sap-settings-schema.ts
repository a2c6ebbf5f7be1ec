// The settings of a `sap-s4hana` target, as the catalog checks them (JSON Schema, draft 2020-12) and the
// connector reads them (sap-settings.ts). The credentials secret is never here: the target names it in
// `credentials`, and it holds JSON `{"user", "password"}` (basic) or `{"certificate", "privateKey"}` PEM
// (certificate).

/** SAP's field lengths this target's values must fit (the SOAP service's and the item cube's). */
export const SAP_LENGTHS = {
  /** BUKRS. */
  companyCode: 4,
  /** SAKNR / HKONT: a G/L account. */
  glAccount: 10,
  /** KOSTL and PRCTR. */
  costCenter: 10,
  profitCenter: 10,
  /** WAERS. */
  currency: 5,
  /** XBLNR: DocumentReferenceID, where the external id goes. */
  documentReferenceId: 16,
  /** BKTXT and SGTXT: truncated to these when longer. */
  documentHeaderText: 25,
  documentItemText: 50,
  /** USNAM. */
  createdByUser: 12,
  /** BUZEI: items per accounting document. */
  items: 999,
} as const;

/** SAP's item fields a Meterbridge dimension can go to (AccountAssignment of each item). */
export const SAP_ASSIGNMENT_FIELDS = ['CostCenter', 'ProfitCenter'] as const;
export type SapAssignmentField = (typeof SAP_ASSIGNMENT_FIELDS)[number];

/** Where Meterbridge's dimensions go when the target's settings do not say: department and class. */
export const DEFAULT_DIMENSION_FIELDS: Readonly<Record<string, SapAssignmentField>> = {
  department: 'CostCenter',
  class: 'ProfitCenter',
};

/** The SOAP path of Journal Entry - Post (Synchronous), communication scenario SAP_COM_0002. */
export const DEFAULT_SOAP_PATH = '/sap/bc/srt/scs_ext/sap/journalentrycreaterequestconfi';
/** The OData v2 service the connector reads postings back through. */
export const DEFAULT_ODATA_PATH = '/sap/opu/odata/sap/API_OPLACCTGDOCITEMCUBE_SRV';

const COMPANY_CODE = {
  type: 'string',
  pattern: '^[A-Z0-9]{1,4}$',
  description: 'an SAP company code: 1 to 4 capital letters or digits, such as "1010"',
};

export const SAP_S4HANA_SETTINGS = {
  type: 'object',
  additionalProperties: false,
  required: ['baseUrl', 'companyCode', 'auth'],
  properties: {
    baseUrl: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://[^\\s/?#]+/?$',
      description:
        'the API host of the tenant, an http:// or https:// URL without a path, such as https://my123456-api.s4hana.cloud.sap',
    },
    companyCode: {
      ...COMPANY_CODE,
      description: 'the company code postings go to (a legal entity listed in companyCodes goes to its own)',
    },
    companyCodes: {
      type: 'object',
      description: "legal entity code -> its SAP company code, for entities that share the target's tenant",
      propertyNames: { minLength: 1, maxLength: 200 },
      additionalProperties: COMPANY_CODE,
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['method'],
      properties: { method: { enum: ['basic', 'certificate'] } },
    },
    timeoutMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 300000,
      description: 'milliseconds from 1000 to 300000 a request may take before its outcome is unknown',
    },
    currencies: {
      type: 'object',
      description: 'ISO 4217 code -> SAP currency key, where they differ (a code not listed is sent as it is)',
      propertyNames: { pattern: '^[A-Z]{3}$', description: 'an ISO 4217 currency code' },
      additionalProperties: {
        type: 'string',
        pattern: '^[A-Z0-9]{1,5}$',
        description: 'an SAP currency key: 1 to 5 capital letters or digits',
      },
    },
    dimensions: {
      type: 'object',
      description:
        'Meterbridge dimension -> the item field it goes to (default: department -> CostCenter, class -> ProfitCenter)',
      propertyNames: { enum: ['subsidiary', 'department', 'class', 'location'] },
      additionalProperties: { enum: [...SAP_ASSIGNMENT_FIELDS] },
    },
    documentType: {
      type: 'string',
      pattern: '^[A-Z0-9]{2}$',
      description: 'the accounting document type: 2 capital letters or digits (default "SA", G/L account document)',
    },
    createdByUser: {
      type: 'string',
      pattern: '^[A-Z0-9_.@-]{1,12}$',
      description: "SAP's CreatedByUser: at most 12 capital letters, digits or _ . @ - (default: none sent)",
    },
    soapPath: {
      type: 'string',
      pattern: '^/[A-Za-z0-9/._~%-]{0,500}$',
      description: 'a URL path starting with /',
    },
    odataPath: {
      type: 'string',
      pattern: '^/[A-Za-z0-9/._~%-]{0,500}$',
      description: 'a URL path starting with /',
    },
  },
};
