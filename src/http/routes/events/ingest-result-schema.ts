import { fieldErrorSchema } from '../../problem-schema.js';

export const ingestResultSchema = {
  type: 'object',
  description: 'Per-event outcome of one request. Duplicates include conflicts (same id, other content).',
  required: ['accepted', 'duplicates', 'rejected', 'conflicts'],
  properties: {
    accepted: { type: 'integer', description: 'Events stored for the first time.' },
    duplicates: { type: 'integer', description: 'Events whose (source, id) was already stored; nothing was changed.' },
    rejected: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'errors'],
        properties: {
          index: { type: 'integer', description: 'Position of the event in the request (0-based).' },
          id: { type: 'string' },
          line: { type: 'integer', description: 'Line number (1-based) for NDJSON bodies.' },
          errors: { type: 'array', items: fieldErrorSchema },
        },
      },
    },
    conflicts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'source', 'id', 'message'],
        properties: {
          index: { type: 'integer' },
          source: { type: 'string' },
          id: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

export const cloudEventSchema = {
  type: 'object',
  description: 'A CloudEvents 1.0 event in structured JSON mode.',
  required: ['specversion', 'id', 'source', 'type'],
  properties: {
    specversion: { type: 'string', enum: ['1.0'] },
    id: { type: 'string', maxLength: 256 },
    source: { type: 'string' },
    type: { type: 'string' },
    subject: { type: 'string', description: 'The customer-facing key the usage belongs to.' },
    time: { type: 'string', format: 'date-time' },
    datacontenttype: { type: 'string' },
    dataschema: { type: 'string', description: 'Names the schema version, as a URI ending in /<version>.' },
    data: { type: 'object', additionalProperties: true },
  },
  additionalProperties: true,
} as const;
