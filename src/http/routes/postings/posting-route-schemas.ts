import { POSTING_STATUSES } from '../../../modules/outbox/index.js';
import { MAX_PAGE } from '../../../platform/paging.js';

// Shapes only: the outbox's posting-filter.ts checks the values, so every bad one is reported with its path.
const text = (description: string) => ({ type: 'string', description }) as const;
const nullableText = { type: ['string', 'null'] } as const;
const instant = { type: 'string', format: 'date-time' } as const;

export const postingIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', maxLength: 40, description: 'The posting id.' } },
} as const;

export const postingQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: text(`One of ${POSTING_STATUSES.join(', ')}.`),
    target: text('Target key, as the catalog declares it.'),
    period: text('Billing period, YYYY-MM.'),
    after: text('A posting id: the page after it (the `next` of the previous page).'),
    limit: text(`Page size, 1-${MAX_PAGE} (default 100).`),
  },
} as const;

export const postingSchema = {
  type: 'object',
  required: ['id', 'targetKey', 'externalId', 'kind', 'subject', 'status', 'attempts', 'body'],
  properties: {
    id: { type: 'string' },
    targetKey: { type: 'string', description: 'The target it goes to.' },
    externalId: { type: 'string', description: 'Its id in the target: deterministic, the same on every retry.' },
    kind: { type: 'string' },
    subject: { type: 'string', description: 'What it is about, such as `invoice:inv_...`.' },
    legalEntity: nullableText,
    period: nullableText,
    body: { type: 'object', additionalProperties: true, description: 'The document sent, vendor-neutral.' },
    status: { type: 'string', enum: POSTING_STATUSES },
    dependsOn: { ...nullableText, description: 'A posting that must be delivered first.' },
    attempts: { type: 'integer', minimum: 0 },
    nextAttemptAt: instant,
    needsLookup: { type: 'boolean', description: 'Its last outcome is unknown: the target is read back first.' },
    targetDocumentId: { ...nullableText, description: "The target's own id of the document." },
    cancelReason: nullableText,
    createdAt: instant,
    updatedAt: instant,
    deliveredAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const postingPageSchema = {
  type: 'object',
  required: ['items', 'next'],
  properties: { items: { type: 'array', items: postingSchema }, next: nullableText },
} as const;

const attemptSchema = {
  type: 'object',
  required: ['attempt', 'outcome'],
  properties: {
    attempt: { type: 'integer' },
    startedAt: instant,
    finishedAt: instant,
    outcome: { type: 'string', enum: ['delivered', 'adopted', 'failed'] },
    failureClass: nullableText,
    message: nullableText,
    targetText: { ...nullableText, description: "The target's own answer, whole." },
    statusCode: { type: ['integer', 'null'] },
    errorCode: nullableText,
    errorPath: nullableText,
  },
} as const;

export const postingDetailSchema = {
  type: 'object',
  required: ['posting', 'attempts'],
  properties: { posting: postingSchema, attempts: { type: 'array', items: attemptSchema } },
} as const;

export const cancelBody = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 4000, description: 'Why it is given up (required).' } },
} as const;
