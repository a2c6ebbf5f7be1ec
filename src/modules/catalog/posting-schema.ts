import { POSTING_MODES } from '../connectors/index.js';
import { DIMENSIONS, POSTING_DATES } from './catalog.js';

// The catalog schema's part for ERP posting: targets and a legal entity's accounting. A target's
// `settings` is only an object here: its fields depend on the kind and are checked against the kind's own
// schema (connectors' TARGET_KIND_SPECS) in catalog-rules, with paths under `/targets/<i>/settings`.

const KEY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$';
/** `MB_SECRET_<NAME>` must be a portable environment variable name. */
export const SECRET_NAME_PATTERN = '^[A-Z][A-Z0-9_]{0,99}$';
const ACCOUNT = { type: 'string', minLength: 1, maxLength: 200, description: 'A GL account number or id of the ERP.' };
const ACCOUNTS_BY = (what: string) => ({
  type: 'object',
  propertyNames: { type: 'string', pattern: KEY_PATTERN },
  additionalProperties: ACCOUNT,
  description: `Revenue account by ${what} key.`,
});

export const POSTING_DEFS = {
  target: {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'kind', 'settings'],
    properties: {
      key: { type: 'string', pattern: KEY_PATTERN, description: "Referenced by legal entities' accounting.target." },
      kind: {
        type: 'string',
        minLength: 1,
        description:
          'netsuite, sap-s4hana, business-central, oracle-fusion, webhook or file; stripe is known but has no connector in this release.',
      },
      settings: {
        type: 'object',
        description: "The kind's connection settings (docs/catalog.md); never a secret.",
      },
      credentials: {
        type: 'string',
        pattern: SECRET_NAME_PATTERN,
        description:
          'The NAME of the secret this target authenticates with, read at delivery from MB_SECRET_<NAME> or the secrets file; never the secret.',
      },
      limits: {
        type: 'object',
        additionalProperties: false,
        description: 'Across every process: default 5 requests per second, 2 at a time.',
        properties: {
          requestsPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 10000 },
          concurrency: { type: 'integer', minimum: 1, maximum: 100 },
        },
      },
    },
  },
  billedIn: {
    type: 'object',
    additionalProperties: false,
    required: ['target', 'invoices'],
    description:
      "The billing platform that bills the customer (docs/connectors/stripe.md); a subscription's wins over its plan's.",
    properties: {
      target: { type: 'string', pattern: KEY_PATTERN, description: 'The key of a declared target of a billing kind.' },
      invoices: {
        enum: ['target', 'meterbridge'],
        description:
          '"target": the platform issues the invoice instead of Meterbridge; "meterbridge": Meterbridge\'s invoice stands and the platform gets its charges besides.',
      },
    },
  },
  accounting: {
    type: 'object',
    additionalProperties: false,
    required: ['target', 'mode', 'accounts'],
    properties: {
      target: { type: 'string', pattern: KEY_PATTERN, description: 'The key of a declared target.' },
      mode: {
        enum: [...POSTING_MODES],
        description:
          '"journal": summarized journal entries; "invoice": one ERP invoice or credit memo per Meterbridge document.',
      },
      postingDate: {
        enum: [...POSTING_DATES],
        default: 'document',
        description: "The date postings carry: the document's date, or the last day of the period it bills.",
      },
      accounts: {
        type: 'object',
        additionalProperties: false,
        required: ['receivable', 'revenue'],
        properties: {
          receivable: ACCOUNT,
          revenue: {
            type: 'object',
            additionalProperties: false,
            description: "A charge's account, else its meter's, else the default.",
            properties: { default: ACCOUNT, charges: ACCOUNTS_BY('charge'), meters: ACCOUNTS_BY('meter') },
          },
          taxPayable: {
            type: 'object',
            propertyNames: { type: 'string', minLength: 1 },
            additionalProperties: ACCOUNT,
            description: 'Tax payable account by tax region.',
          },
          discount: ACCOUNT,
          unbilled: { ...ACCOUNT, description: 'Accrued revenue of usage not yet invoiced.' },
        },
      },
      dimensions: {
        type: 'object',
        additionalProperties: false,
        description: "Ids in the target's dimensions, carried by every posting of the entity.",
        properties: Object.fromEntries(DIMENSIONS.map((dimension) => [dimension, { type: 'string', minLength: 1 }])),
      },
    },
  },
} as const;
