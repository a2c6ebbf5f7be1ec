import {
  AGGREGATIONS,
  BILLING_PERIODS,
  CATALOG_API_VERSION,
  CHARGE_MODELS,
  CREDIT_KINDS,
  LATE_POLICIES,
} from './catalog.js';
import { POSTING_DEFS } from './posting-schema.js';

// The JSON Schema (2020-12) of a catalog file. `schemas/catalog.schema.json` is this object written out for
// editors; a test fails when the two drift apart. It lives in code because the published package ships
// `dist/`, not `schemas/`. Every object is closed (`additionalProperties: false`) except a charge's prices
// and `config` (also as a contract overrides them), whose fields depend on the pricing model and are checked in
// code (charge-pricing.ts) with one precise error each; so are semantic rules (references, duplicates,
// overlaps, the ISO 4217 list), where they can name both places involved.

const KEY = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$',
  description: 'A key: a letter or digit, then letters, digits, ".", "_", ":", "@" or "-" (at most 200 characters).',
};
const REF = (kind: string): Record<string, unknown> => ({ ...KEY, description: `The key of a declared ${kind}.` });
const TEXT = { type: 'string', minLength: 1 };
const CURRENCY = { $ref: '#/$defs/currency' };
const DATE_TIME = { $ref: '#/$defs/dateTime' };
// A price in one currency. Its fields are checked in code, but tiers must be objects before that code
// reads them: `tiers: [null, ...]` is then a schema error at the tier's path.
const PRICE = { type: ['string', 'object'], properties: { tiers: { type: 'array', items: { type: 'object' } } } };

export const CATALOG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Meterbridge catalog',
  description:
    'Targets, legal entities, customers, tax rates, meters, plans and subscriptions, declared in one file (docs/catalog.md).',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion'],
  properties: {
    apiVersion: { const: CATALOG_API_VERSION },
    targets: { type: 'array', items: { $ref: '#/$defs/target' } },
    legalEntities: { type: 'array', items: { $ref: '#/$defs/legalEntity' } },
    customers: { type: 'array', items: { $ref: '#/$defs/customer' } },
    taxRates: { type: 'array', items: { $ref: '#/$defs/taxRate' } },
    meters: { type: 'array', items: { $ref: '#/$defs/meter' } },
    plans: { type: 'array', items: { $ref: '#/$defs/plan' } },
    subscriptions: { type: 'array', items: { $ref: '#/$defs/subscription' } },
  },
  $defs: {
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'An active ISO 4217 code such as "USD".' },
    // `format` alone also lets through a space for "T", "+0100" and the leap second ":60", which Date.parse
    // cannot place; the pattern keeps to what every consumer of these times reads the same way.
    dateTime: {
      type: 'string',
      format: 'date-time',
      pattern: '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:[0-5]\\d(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$',
      description: 'RFC 3339, with a time zone: "2026-01-01T00:00:00Z".',
    },
    dataPath: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$',
      not: { type: 'string', pattern: '(^|\\.)(__proto__|constructor|prototype)(\\.|$)' },
      description: 'A dot path into the event\'s data, such as "usage.input_tokens".',
    },
    legalEntity: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'name', 'currency', 'region'],
      properties: {
        code: KEY,
        name: TEXT,
        currency: CURRENCY,
        region: TEXT,
        erpTarget: {
          ...TEXT,
          description:
            "A label for the ERP holding this entity's ledger (older catalogs); equal to accounting.target when both are given.",
        },
        accounting: { $ref: '#/$defs/accounting' },
      },
    },
    ...POSTING_DEFS,
    customer: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'name', 'legalEntity', 'currency', 'taxRegion'],
      properties: {
        key: KEY,
        name: TEXT,
        legalEntity: REF('legal entity'),
        currency: CURRENCY,
        taxRegion: TEXT,
        aliases: {
          type: 'array',
          uniqueItems: true,
          items: TEXT,
          description: 'Event subjects that resolve to this customer.',
        },
        externalIds: {
          type: 'object',
          additionalProperties: TEXT,
          description: 'Ids in other systems, by system: crm, billing, erp, ...',
        },
      },
    },
    taxRate: {
      type: 'object',
      additionalProperties: false,
      required: ['region', 'rate', 'name'],
      properties: {
        region: { ...TEXT, description: 'A tax region label, as in a customer\'s taxRegion ("US-CA", "DE").' },
        rate: { type: 'string', description: 'Percent as a decimal string from 0 to 100, such as "7.25".' },
        name: { ...TEXT, description: 'Label of the invoice\'s tax line, such as "California sales tax".' },
      },
    },
    filterScalar: { type: ['string', 'number', 'boolean', 'null'] },
    meter: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'eventType', 'aggregation', 'unit'],
      properties: {
        key: KEY,
        eventType: TEXT,
        filter: {
          type: 'object',
          propertyNames: { $ref: '#/$defs/dataPath' },
          additionalProperties: {
            anyOf: [
              { $ref: '#/$defs/filterScalar' },
              {
                type: 'object',
                additionalProperties: false,
                required: ['in'],
                properties: { in: { type: 'array', minItems: 1, items: { $ref: '#/$defs/filterScalar' } } },
              },
            ],
          },
        },
        valuePath: { $ref: '#/$defs/dataPath' },
        aggregation: { enum: [...AGGREGATIONS] },
        groupBy: { type: 'array', uniqueItems: true, items: { $ref: '#/$defs/dataPath' } },
        unit: TEXT,
        allowNegative: { type: 'boolean', default: false },
        effectiveFrom: DATE_TIME,
      },
      if: { properties: { aggregation: { const: 'count' } } },
      else: { required: ['valuePath'] },
    },
    charge: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'model'],
      properties: {
        key: KEY,
        name: TEXT,
        meter: REF('meter'),
        model: { enum: [...CHARGE_MODELS] },
        prices: {
          type: 'object',
          propertyNames: CURRENCY,
          additionalProperties: {
            ...PRICE,
            description:
              "The price in this currency: a decimal string (the unit price, flat amount or package price), or an object with the model's price fields (docs/pricing.md).",
          },
          description: 'Price per ISO 4217 currency.',
        },
        config: {
          type: 'object',
          description:
            'Currency-independent settings of the model: freeUnits, packageSize, rounding, quantityRounding, rate, freeEvents, timing (docs/pricing.md).',
        },
      },
    },
    plan: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'name', 'charges'],
      properties: {
        key: KEY,
        name: TEXT,
        currency: CURRENCY,
        charges: { type: 'array', items: { $ref: '#/$defs/charge' } },
        latePolicy: { $ref: '#/$defs/latePolicy' },
        lateMaterialityThreshold: { $ref: '#/$defs/lateMaterialityThreshold' },
        billedIn: { $ref: '#/$defs/billedIn' },
      },
    },
    latePolicy: {
      enum: [...LATE_POLICIES],
      description:
        "What late usage of a finalized period becomes (docs/late-usage.md); a subscription's own setting wins over its plan's.",
    },
    lateMaterialityThreshold: {
      type: 'string',
      pattern: '^\\d+(\\.\\d+)?$',
      description: 'Amount below which late usage rolls forward whatever the policy (a decimal string, 0 or more).',
    },
    credit: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'kind', 'amount'],
      properties: {
        key: KEY,
        name: TEXT,
        kind: {
          enum: [...CREDIT_KINDS],
          description:
            '"commit": paid up front, invoiced on the first invoice it covers; "grant": given, never invoiced.',
        },
        amount: {
          type: 'string',
          pattern: '^\\d+(\\.\\d+)?$',
          description: "The credit in the customer's currency, a decimal string.",
        },
        effectiveFrom: DATE_TIME,
        expiresAt: DATE_TIME,
        charges: { type: 'array', uniqueItems: true, minItems: 1, items: REF('charge of the plan') },
        priority: { type: 'integer', minimum: 0, maximum: 1000000, description: 'Lower draws first; default 0.' },
      },
    },
    subscription: {
      type: 'object',
      additionalProperties: false,
      required: ['key', 'customer', 'plan', 'start', 'billingPeriod'],
      properties: {
        key: KEY,
        customer: REF('customer'),
        plan: REF('plan'),
        start: DATE_TIME,
        end: DATE_TIME,
        billingPeriod: { enum: [...BILLING_PERIODS] },
        anchorDay: { type: 'integer', minimum: 1, maximum: 28 },
        overrides: {
          type: 'object',
          additionalProperties: false,
          description: 'What this contract prices differently from its plan (docs/pricing.md).',
          properties: {
            discountPercent: {
              type: 'string',
              description: "Percent off the period's usage and flat fees, a decimal string from 0 to 100.",
            },
            charges: {
              type: 'object',
              description:
                "By charge key of the plan: prices replacing the plan's, per currency given, and config settings merged over the plan's.",
              additionalProperties: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  prices: { type: 'object', propertyNames: CURRENCY, additionalProperties: PRICE },
                  config: { type: 'object' },
                },
              },
            },
          },
        },
        latePolicy: { $ref: '#/$defs/latePolicy' },
        lateMaterialityThreshold: { $ref: '#/$defs/lateMaterialityThreshold' },
        credits: {
          type: 'array',
          items: { $ref: '#/$defs/credit' },
          description: 'Prepaid credits and commits drawn down by usage (docs/credits.md).',
        },
        billedIn: { $ref: '#/$defs/billedIn' },
      },
    },
  },
} as const;
