/** JSON Schemas shared by route definitions; they double as the published OpenAPI contract. */
export const fieldErrorSchema = {
  type: 'object',
  required: ['path', 'message'],
  properties: { path: { type: 'string' }, message: { type: 'string' } },
} as const;

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json).',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: fieldErrorSchema },
  },
} as const;

/** Error responses every authenticated route can give. */
export const authProblemResponses = {
  401: { ...problemSchema, description: 'No or unknown API key.' },
  403: { ...problemSchema, description: 'The API key lacks the permission.' },
} as const;
