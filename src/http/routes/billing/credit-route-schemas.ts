import { CREDIT_STATUSES } from '../../../modules/billing/index.js';
import { MAX_PAGE } from '../../../platform/paging.js';

// Shapes only for the query string: the billing module's credit-filter.ts checks the values, so every bad
// one is reported with its path; the schema refuses only parameters that do not exist.
const text = (description: string) => ({ type: 'string', description }) as const;
const money = (description: string) => ({ type: 'string', description: `${description} Money, as a string.` }) as const;
const instant = { type: 'string', format: 'date-time' } as const;

export const creditQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    subscription: text('Subscription key.'),
    customer: text('Customer key.'),
    status: text(`One of ${CREDIT_STATUSES.join(', ')}.`),
    after: text('A credit id (subscription/credit): the page after it (the `next` of the previous page).'),
    limit: text(`Page size, 1-${MAX_PAGE} (default 100).`),
  },
} as const;

export const creditParams = {
  type: 'object',
  required: ['subscription', 'credit'],
  properties: {
    subscription: { type: 'string', maxLength: 200, description: 'The subscription key.' },
    credit: { type: 'string', maxLength: 200, description: 'The credit key within the subscription.' },
  },
} as const;

const balanceProperties = {
  id: { type: 'string', description: 'subscription/credit.' },
  subscription: { type: 'string' },
  customer: { type: 'string' },
  key: { type: 'string' },
  name: { type: ['string', 'null'] },
  kind: { type: 'string', enum: ['commit', 'grant'], description: 'commit: invoiced up front; grant: given.' },
  currency: { type: 'string' },
  amount: money('The credit.'),
  effectiveFrom: instant,
  expiresAt: { type: ['string', 'null'], format: 'date-time' },
  charges: {
    type: ['array', 'null'],
    items: { type: 'string' },
    description: 'Charges it pays; null: every usage charge.',
  },
  priority: { type: 'integer', description: 'Lower draws first.' },
  drawn: money('Drawn by finalized invoices and memos.'),
  pending: money('Drawn by drafts.'),
  remaining: money('Amount less drawn and pending (once expired: forfeited).'),
  status: { type: 'string', enum: [...CREDIT_STATUSES] },
  invoicedOn: { type: ['string', 'null'], description: 'A commit: the invoice with its commitment line.' },
} as const;

const creditBalanceSchema = {
  type: 'object',
  required: Object.keys(balanceProperties),
  properties: balanceProperties,
} as const;

export const creditPageSchema = {
  type: 'object',
  required: ['items', 'next'],
  properties: {
    items: { type: 'array', items: creditBalanceSchema },
    next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last page.' },
  },
} as const;

export const creditDetailSchema = {
  type: 'object',
  required: [...Object.keys(balanceProperties), 'entries'],
  properties: {
    ...balanceProperties,
    entries: {
      type: 'array',
      description:
        'Every document that invoiced or drew the credit, in period order; void ones are listed and not counted.',
      items: {
        type: 'object',
        required: ['invoice', 'number', 'document', 'status', 'periodStart', 'periodEnd', 'kind', 'amount'],
        properties: {
          invoice: { type: 'string' },
          number: { type: ['string', 'null'] },
          document: { type: 'string', enum: ['invoice', 'memo'] },
          status: { type: 'string' },
          periodStart: instant,
          periodEnd: instant,
          kind: { type: 'string', enum: ['commitment', 'credit'] },
          amount: money('The commitment invoiced, or the amount drawn.'),
        },
      },
    },
  },
} as const;
