import { EXCEPTION_REASONS, EXCEPTION_STATUSES, MAX_EXCEPTION_PAGE } from '../../../modules/metering/index.js';

// Only shapes here: parseExceptionQuery and the module check the values, so every bad one is
// reported with its path; the schemas refuse only fields that do not exist or have the wrong type.
const text = (description: string) => ({ type: 'string', description }) as const;
const instant = { type: 'string', format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;

const filterProperties = {
  reason: text(`One of ${EXCEPTION_REASONS.join(', ')}.`),
  meter: text('Meter key.'),
  customer: text('Customer key (known only when the subject was attributed).'),
  subject: text("The event's subject as sent."),
  type: text("The event's type."),
  from: text('RFC 3339 date-time with a zone: event time at or after.'),
  to: text('RFC 3339 date-time with a zone: event time before (later than from).'),
} as const;

export const exceptionQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: text(`One of ${EXCEPTION_STATUSES.join(', ')}.`),
    ...filterProperties,
    after: text('An exception id: the page after it (the `next` of the previous page).'),
    limit: text(`Page size, 1-${MAX_EXCEPTION_PAGE} (default 100).`),
  },
} as const;

/** The filter of a reprocess: as the list's, without status (only open exceptions are reprocessed) or paging. */
export const exceptionFilterBody = {
  type: 'object',
  additionalProperties: false,
  description: 'Which open exceptions to try again; every field narrows the selection.',
  properties: filterProperties,
} as const;

/**
 * Exception ids as integers or decimal strings (ids are bigints). String first: with type coercion on,
 * a boolean or a fraction becomes a string the module refuses, never a plausible id.
 */
export const exceptionIdsBody = {
  type: 'array',
  description: `1-${MAX_EXCEPTION_PAGE} exception ids, no repeats.`,
  items: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
} as const;

export const exceptionSchema = {
  type: 'object',
  required: [
    'id',
    'reason',
    'detail',
    'status',
    'meter',
    'event',
    'customer',
    'createdAt',
    'updatedAt',
    'resolution',
    'resolvedBy',
  ],
  properties: {
    id: { type: 'string', description: 'A positive integer, as a string (a bigint).' },
    reason: { type: 'string', enum: [...EXCEPTION_REASONS] },
    detail: { type: 'string', description: 'What is wrong, in words.' },
    status: { type: 'string', enum: [...EXCEPTION_STATUSES] },
    meter: { type: 'string' },
    event: {
      type: 'object',
      description: 'The raw event the exception is about (its lineage).',
      required: ['seq', 'source', 'id', 'type', 'subject', 'time'],
      properties: {
        seq: { type: 'string', description: 'Position in the raw event log.' },
        source: { type: 'string' },
        id: { type: 'string' },
        type: { type: 'string' },
        subject: { type: ['string', 'null'] },
        time: instant,
      },
    },
    customer: { type: ['string', 'null'] },
    createdAt: instant,
    updatedAt: instant,
    resolution: {
      type: ['string', 'null'],
      description: 'How it closed: reprocessed, replayed, not_metered, or the reason it was ignored with.',
    },
    resolvedBy: { type: ['string', 'null'], description: 'Who closed it.' },
  },
} as const;

export const exceptionPageSchema = {
  type: 'object',
  required: ['items', 'next'],
  properties: {
    items: { type: 'array', items: exceptionSchema },
    next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last page.' },
  },
} as const;

export const exceptionListSchema = { type: 'array', items: exceptionSchema } as const;

const rederiveSummaryProperties = {
  events: { ...count, description: 'Raw events derived again.' },
  usage: {
    type: 'object',
    required: ['created', 'updated', 'removed', 'unchanged'],
    properties: { created: count, updated: count, removed: count, unchanged: count },
  },
  exceptions: {
    type: 'object',
    required: ['opened', 'updated', 'resolved'],
    properties: { opened: count, updated: count, resolved: count },
  },
  invoiced: {
    type: 'array',
    description: 'What would change on invoiced records, which are never changed (at most 1000 listed).',
    items: {
      type: 'object',
      required: ['eventSeq', 'meterKey', 'invoiceId', 'change', 'invoicedValue', 'derivedValue'],
      properties: {
        eventSeq: { type: 'string' },
        meterKey: { type: 'string' },
        invoiceId: { type: 'string' },
        change: { type: 'string', enum: ['update', 'remove'] },
        invoicedValue: { type: ['string', 'null'] },
        derivedValue: { type: ['string', 'null'] },
      },
    },
  },
  invoicedChanges: { ...count, description: 'All invoiced records that would change, listed or not.' },
} as const;
const rederiveSummaryRequired = ['events', 'usage', 'exceptions', 'invoiced', 'invoicedChanges'] as const;

export const reprocessResultSchema = {
  type: 'object',
  required: [...rederiveSummaryRequired, 'selected', 'stillOpen', 'catalogVersion'],
  properties: {
    ...rederiveSummaryProperties,
    selected: { ...count, description: 'Open exceptions selected for another try.' },
    stillOpen: { ...count, description: 'Of those, how many stay open (the cause is not fixed yet).' },
    catalogVersion: { type: 'integer', description: 'The catalog version they were derived with.' },
  },
} as const;

export const replayResultSchema = {
  type: 'object',
  required: [...rederiveSummaryRequired, 'from', 'to', 'customer', 'meter', 'catalogVersion'],
  properties: {
    ...rederiveSummaryProperties,
    from: instant,
    to: instant,
    customer: { type: ['string', 'null'] },
    meter: { type: ['string', 'null'] },
    catalogVersion: { type: 'integer', description: 'The catalog version usage was derived with.' },
  },
} as const;

export const meteringStatusSchema = {
  type: 'object',
  required: ['lag', 'telemetry', 'exceptions'],
  properties: {
    lag: {
      type: 'object',
      required: ['events', 'seconds'],
      properties: {
        events: { ...count, description: 'Accepted events the stage has not read yet (counted up to 1,000,000).' },
        seconds: {
          type: 'number',
          minimum: 0,
          description: 'How long the oldest of them has waited; 0 when caught up.',
        },
      },
    },
    telemetry: {
      type: 'array',
      description: 'Events no meter reads, per type.',
      items: {
        type: 'object',
        required: ['eventType', 'events', 'lastEventTime'],
        properties: { eventType: { type: 'string' }, events: count, lastEventTime: instant },
      },
    },
    exceptions: {
      type: 'array',
      description: 'Exceptions per status and reason (absent combinations have none).',
      items: {
        type: 'object',
        required: ['status', 'reason', 'count'],
        properties: {
          status: { type: 'string', enum: [...EXCEPTION_STATUSES] },
          reason: { type: 'string', enum: [...EXCEPTION_REASONS] },
          count,
        },
      },
    },
  },
} as const;
