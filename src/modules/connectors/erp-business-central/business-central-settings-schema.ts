// The JSON Schema (draft 2020-12) of a Business Central target's settings: what the catalog checks a
// target against (TARGET_KIND_SPECS['business-central']) and what the connector reads. The secret is
// never a setting: the target names it in `credentials`, and it holds JSON `{"clientSecret": "..."}`.
// Self-contained (no import), since target-kinds.ts imports it.

const GUID = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
const HTTP_URL = {
  type: 'string',
  format: 'uri',
  pattern: '^https?://[^\\s/?#]+',
  description: 'an http:// or https:// URL',
};
/** A BC Code[20] value as the API takes it: an account, item or customer number. */
const NUMBER_CODE = {
  type: 'string',
  pattern: '^[^\\sa-z][^a-z]{0,18}[^\\sa-z]$|^[^\\sa-z]$',
  description: 'a Business Central number of at most 20 characters, in upper case (Code[20])',
};

/** A BC dimension's code (Code[20]), as the Dimensions page keys it. */
const DIMENSION_CODE = {
  type: 'string',
  pattern: '^[^\\sa-z][^a-z]{0,18}[^\\sa-z]$|^[^\\sa-z]$',
  description: 'a Business Central dimension code of at most 20 characters, in upper case (Code[20])',
};

export const BUSINESS_CENTRAL_SETTINGS = {
  type: 'object',
  additionalProperties: false,
  required: ['tenant', 'environment', 'companyId', 'clientId', 'localCurrency'],
  properties: {
    baseUrl: { ...HTTP_URL, description: 'the API host; https://api.businesscentral.dynamics.com by default' },
    tenant: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$',
      description: 'the Microsoft Entra tenant: its id (a GUID) or a domain such as contoso.onmicrosoft.com',
    },
    environment: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$',
      description: 'the environment name, such as Production or Sandbox',
    },
    companyId: { type: 'string', pattern: GUID, description: "the company's id (a GUID, from GET .../companies)" },
    clientId: {
      type: 'string',
      pattern: GUID,
      description: "the Entra app registration's application (client) id, a GUID",
    },
    tokenEndpoint: {
      ...HTTP_URL,
      description: 'the token endpoint; https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token by default',
    },
    scope: {
      type: 'string',
      pattern: '^\\S+/\\.default$',
      description: 'the client credentials scope, https://api.businesscentral.dynamics.com/.default by default',
    },
    localCurrency: {
      type: 'string',
      pattern: '^[A-Z]{3}$',
      description: "the company's local currency (LCY), an ISO 4217 code",
    },
    journal: {
      type: 'object',
      additionalProperties: false,
      properties: {
        template: {
          type: 'string',
          pattern: '^[A-Z0-9][A-Z0-9_-]{0,9}$',
          description: "a general journal template's name (Code[10]); BC's default template when absent",
        },
        batchPrefix: {
          type: 'string',
          pattern: '^[A-Z0-9]{0,4}$',
          description: 'up to 4 upper-case letters or digits starting each batch code ("MB" by default)',
        },
      },
    },
    items: {
      type: 'object',
      description: 'charge key -> item number, for invoice mode (a charge not listed is sent as the number)',
      propertyNames: { minLength: 1, maxLength: 200 },
      additionalProperties: NUMBER_CODE,
    },
    customers: {
      type: 'object',
      description: "a customer's externalIds.erp -> customer number (a customer not listed is sent as the number)",
      propertyNames: { minLength: 1, maxLength: 200 },
      additionalProperties: NUMBER_CODE,
    },
    dimensions: {
      type: 'object',
      description:
        "Meterbridge dimension -> the Business Central dimension code its value is posted under (a dimension set line's code), e.g. { department: DEPARTMENT, location: AREA }",
      propertyNames: { enum: ['subsidiary', 'department', 'class', 'location'] },
      additionalProperties: DIMENSION_CODE,
    },
    taxAccount: {
      ...NUMBER_CODE,
      description: "the G/L account a document's tax is posted to, as a line of the document (invoice mode)",
    },
    postDocuments: {
      type: 'boolean',
      description: 'post sales invoices and credit memos once built (true by default); false leaves them as drafts',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 300000,
      description: 'milliseconds from 1000 to 300000 a request may take before its outcome is unknown',
    },
  },
};
