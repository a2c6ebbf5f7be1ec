import { ALERT_STATES } from '../../../modules/alerts/index.js';
import { MAX_PAGE } from '../../../platform/paging.js';

// Shapes only: the alerts module's alert-filter.ts checks the values, so every bad one is reported with its path.
const text = (description: string) => ({ type: 'string', description }) as const;
const nullableText = { type: ['string', 'null'] } as const;
const instant = { type: 'string', format: 'date-time' } as const;

export const alertQuerystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: text(`One of ${ALERT_STATES.join(', ')}; both when absent.`),
    rule: text('A rule, such as dead_letters or silent_meter.'),
    before: text('An alert id: the page after it, newest first (the `next` of the previous page).'),
    limit: text(`Page size, 1-${MAX_PAGE} (default 100).`),
  },
} as const;

export const alertSchema = {
  type: 'object',
  required: ['id', 'rule', 'subject', 'state', 'summary', 'firedAt', 'resolvedAt'],
  properties: {
    id: { type: 'string' },
    rule: { type: 'string' },
    subject: { type: 'string', description: 'What it is about: a target, a meter, `US:2026-10`, `ingestion`.' },
    state: { type: 'string', enum: ALERT_STATES },
    summary: { type: 'string' },
    observed: { ...nullableText, description: 'What the rule measured (latest evaluation), exact decimal text.' },
    threshold: { ...nullableText, description: 'The threshold it crossed, exact decimal text.' },
    details: { type: 'object', additionalProperties: true },
    firedAt: instant,
    lastSeenAt: instant,
    resolvedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const alertPageSchema = {
  type: 'object',
  required: ['items', 'next'],
  properties: { items: { type: 'array', items: alertSchema }, next: nullableText },
} as const;

const observationSchema = {
  type: 'object',
  required: ['rule', 'subject', 'state', 'summary'],
  properties: {
    rule: { type: 'string' },
    subject: { type: 'string' },
    state: { type: 'string', description: 'quiet: the silent meter saw no traffic at all (the product is quiet).' },
    summary: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const evaluationSchema = {
  type: 'object',
  required: ['evaluatedAt', 'fired', 'resolved', 'stillOpen', 'observations', 'failures'],
  properties: {
    evaluatedAt: instant,
    fired: { type: 'array', items: alertSchema },
    resolved: { type: 'array', items: alertSchema },
    stillOpen: { type: 'integer' },
    observations: { type: 'array', items: observationSchema },
    failures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['rule', 'message'],
        properties: { rule: { type: 'string' }, message: { type: 'string' } },
      },
    },
    notifications: {
      type: 'object',
      properties: { delivered: { type: 'integer' }, failed: { type: 'integer' } },
    },
  },
} as const;

export const serviceLevelReportSchema = {
  type: 'object',
  required: ['at', 'objectives', 'failures'],
  properties: {
    at: instant,
    objectives: {
      type: 'array',
      items: {
        type: 'object',
        required: ['objective', 'status', 'target', 'attainment', 'met', 'missed', 'pending', 'window'],
        properties: {
          objective: { type: 'string' },
          description: { type: 'string' },
          status: { type: 'string', enum: ['met', 'missed', 'no_data'] },
          target: { type: 'string', description: 'The share to attain, decimal text (0.99).' },
          attainment: { ...nullableText, description: 'met / (met + missed), six decimals rounded down.' },
          met: { type: 'string' },
          missed: { type: 'string' },
          pending: { type: 'string', description: 'Items whose bound has not passed yet.' },
          quantileSeconds: { ...nullableText, description: 'The observed duration at the target share.' },
          window: {
            type: 'object',
            properties: { start: instant, end: instant, days: { type: 'integer' } },
          },
        },
      },
    },
    failures: {
      type: 'array',
      items: {
        type: 'object',
        properties: { objective: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;
