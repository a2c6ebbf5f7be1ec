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

/** A documented problem response, published with its real media type. */
export function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: problemSchema } } };
}

/** Error responses every authenticated route can give. */
export const authProblemResponses = {
  401: problemResponse('No or unknown API key.'),
  403: problemResponse('The API key lacks the permission.'),
} as const;
