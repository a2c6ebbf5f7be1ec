import { INVOICE_STATUSES } from '../../../modules/billing/index.js';
import { MAX_PAGE } from '../../../platform/paging.js';

// Shapes only for the query strings: the billing module's invoice-filter.ts checks the values, so every bad one is reported
// with its path; the schemas refuse only parameters that do not exist.
const text = (description: string) => ({ type: 'string', description }) as const;
const money = (description: string) =>
  ({ type: 'string', description: `${description} Exact decimal, as a string.` }) as const;
const instant = { type: 'string', format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;

export const invoiceIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 200, description: 'The invoice id (inv_...).' } },
} as const;

export const invoiceQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    customer: text('Customer key.'),
    status: text(`One of ${INVOICE_STATUSES.join(', ')}.`),
    legal_entity: text('Legal entity (the issuer, also the prefix of invoice numbers).'),
    from: text('RFC 3339 date-time with a zone: period start at or after.'),
    to: text('RFC 3339 date-time with a zone: period start before (later than from).'),
    after: text('An invoice id: the page after it (the `next` of the previous page).'),
    limit: text(`Page size, 1-${MAX_PAGE} (default 100).`),
  },
} as const;

export const lineEventQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: text('An event seq: the page after it (the `next` of the previous page).'),
    limit: text(`Page size, 1-${MAX_PAGE} (default 100).`),
  },
} as const;

export const billingRunSummarySchema = {
  type: 'object',
  required: ['id', 'period', 'catalogVersion', 'invoices', 'memos', 'pending', 'totals', 'reissued'],
  properties: {
    id: { type: 'string', description: 'The billing run id (run_...).' },
    period: { type: 'string', description: 'The calendar month billed, such as "2026-10".' },
    catalogVersion: { type: 'integer', description: 'The catalog version the invoices were drafted with.' },
    invoices: {
      type: 'object',
      description:
        'What happened to each invoice of the month: drafted, redrafted, left as it was, or left alone because it is final.',
      required: ['created', 'updated', 'unchanged', 'finalized'],
      properties: { created: count, updated: count, unchanged: count, finalized: count },
    },
    memos: {
      type: 'object',
      description: 'Memos drafted for late usage under the memo policy, one per corrected invoice.',
      required: ['created', 'updated', 'unchanged'],
      properties: { created: count, updated: count, unchanged: count },
    },
    reissued: {
      type: 'array',
      description: 'Finalized invoices voided and drafted again with their late usage (reissue policy).',
      items: {
        type: 'object',
        required: ['voided', 'replacement'],
        properties: { voided: { type: 'string' }, replacement: { type: 'string' } },
      },
    },
    pending: {
      type: 'array',
      description: 'Subscription periods that start in the month but have not ended yet: a later run bills them.',
      items: {
        type: 'object',
        required: ['subscription', 'periodEnd'],
        properties: { subscription: { type: 'string' }, periodEnd: instant },
      },
    },
    totals: {
      type: 'object',
      description:
        'Totals of the documents created or updated (invoices and memos alike: a memo counts in the run that drafts it), per currency (exact decimal strings).',
      additionalProperties: { type: 'string' },
    },
  },
} as const;

const breakdownSchema = {
  type: 'object',
  description: 'One exact rating step (as /v1/rating/preview explains them).',
  required: ['kind', 'description', 'amount'],
  properties: {
    kind: { type: 'string' },
    description: { type: 'string' },
    quantity: text('Units (or amount, for percentages) the step prices.'),
    unitPrice: text('Price per unit.'),
    rate: text('Percent, for percentage steps.'),
    tier: { type: 'integer', description: '1-based tier.' },
    from: text('The tier holds the units above this...'),
    upTo: { type: ['string', 'null'], description: '...up to and including this (null: no limit).' },
    amount: money('Unrounded.'),
  },
} as const;

const invoiceLineSchema = {
  type: 'object',
  required: [
    'lineNo',
    'kind',
    'chargeKey',
    'meterKey',
    'creditKey',
    'description',
    'periodStart',
    'periodEnd',
    'quantity',
    'unitPrice',
    'amount',
    'breakdown',
    'groups',
  ],
  properties: {
    lineNo: { type: 'integer', minimum: 1 },
    kind: {
      type: 'string',
      enum: ['usage', 'flat_fee', 'discount', 'adjustment', 'commitment', 'credit', 'tax'],
      description:
        'usage and flat_fee bill the period; adjustment re-rates late usage of a finalized period; commitment invoices a prepaid commit, credit draws prepaid credit down; tax last.',
    },
    creditKey: {
      type: ['string', 'null'],
      description: "Commitment and credit lines: the contract's prepaid credit (its balance is at /v1/credits).",
    },
    chargeKey: { type: ['string', 'null'] },
    meterKey: {
      type: ['string', 'null'],
      description: 'The meter of a usage line: its events are at /v1/invoices/{id}/lines/{line}/events.',
    },
    description: { type: 'string' },
    periodStart: instant,
    periodEnd: instant,
    quantity: {
      type: ['string', 'null'],
      description: 'Exact decimal, as a string (the taxable base, on a tax line).',
    },
    unitPrice: { type: ['string', 'null'], description: 'Exact decimal, as a string.' },
    amount: money("Rounded to the currency's minor unit."),
    breakdown: { type: 'array', items: breakdownSchema },
    groups: {
      type: 'array',
      description: 'The quantity per dimension values, for charges grouped by dimensions.',
      items: {
        type: 'object',
        required: ['dimensions', 'quantity'],
        properties: { dimensions: { type: 'object', additionalProperties: true }, quantity: { type: 'string' } },
      },
    },
  },
} as const;

const invoiceProperties = {
  id: { type: 'string' },
  document: {
    type: 'string',
    enum: ['invoice', 'memo'],
    description: 'An invoice bills a period; a memo corrects a finalized invoice (late usage).',
  },
  correctsInvoice: { type: ['string', 'null'], description: 'A memo: the invoice it corrects.' },
  replacesInvoice: { type: ['string', 'null'], description: 'A reissued invoice: the voided one it replaces.' },
  voidedAt: { type: ['string', 'null'], format: 'date-time' },
  number: {
    type: ['string', 'null'],
    description: 'Given at finalization: <legal entity>-<6 digits>, consecutive per legal entity.',
  },
  status: { type: 'string', enum: [...INVOICE_STATUSES] },
  subscription: { type: 'string' },
  customer: { type: 'string' },
  legalEntity: { type: 'string' },
  currency: { type: 'string' },
  periodStart: instant,
  periodEnd: instant,
  coveredStart: {
    ...instant,
    description:
      'The part of the period the subscription was active in starts here (later than periodStart when it started inside the period).',
  },
  coveredEnd: {
    ...instant,
    description:
      'The part of the period the subscription was active in ends here (earlier than periodEnd when it ended or changed plan inside the period).',
  },
  subtotal: money('Sum of the lines before tax.'),
  taxTotal: money('Sum of the tax lines.'),
  total: money('What the customer owes.'),
  catalogVersion: { type: 'integer' },
  billingRun: { type: 'string', description: 'The billing run that last drafted it.' },
  createdAt: instant,
  updatedAt: instant,
  finalizeAfter: { ...instant, description: 'When a draft finalizes on its own (POST /v1/invoices/finalize-due).' },
  finalizedAt: { type: ['string', 'null'], format: 'date-time' },
} as const;
const invoiceRequired = Object.keys(invoiceProperties);

const invoiceSummarySchema = {
  type: 'object',
  required: invoiceRequired,
  properties: invoiceProperties,
} as const;

export const invoiceSchema = {
  type: 'object',
  required: [...invoiceRequired, 'lines'],
  properties: { ...invoiceProperties, lines: { type: 'array', items: invoiceLineSchema } },
} as const;

export const invoicePageSchema = {
  type: 'object',
  required: ['items', 'next'],
  properties: {
    items: { type: 'array', items: invoiceSummarySchema, description: 'Invoices without their lines.' },
    next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last page.' },
  },
} as const;

export const lineEventPageSchema = {
  type: 'object',
  required: ['items', 'next'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['seq', 'source', 'id', 'type', 'subject', 'time', 'value', 'dimensions'],
        properties: {
          seq: { type: 'string', description: 'Position in the raw event log.' },
          source: { type: 'string' },
          id: { type: 'string' },
          type: { type: 'string' },
          subject: { type: ['string', 'null'] },
          time: instant,
          value: {
            type: ['string', 'null'],
            description: "The event's metered value (exact decimal); null for a count meter without a value path.",
          },
          dimensions: { type: 'object', additionalProperties: true },
        },
      },
    },
    next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last page.' },
  },
} as const;
