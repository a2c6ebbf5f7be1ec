import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';

const previewSchema = {
  type: 'object',
  required: ['period', 'documents', 'postings'],
  properties: {
    period: { type: 'string' },
    documents: { type: 'integer', description: 'Documents of the period that would be posted.' },
    postings: {
      type: 'array',
      items: {
        type: 'object',
        required: ['targetKey', 'body'],
        properties: {
          targetKey: { type: 'string' },
          body: {
            type: 'object',
            additionalProperties: true,
            description: 'A balanced journal entry or an ERP document, with references to every invoice line.',
          },
        },
      },
    },
  },
} as const;

export function registerGetPostingPreview(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Querystring: { period?: string } }>(
    '/v1/postings/preview',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: "What a billing period's documents would post, by the current catalog, before anything is sent",
        description:
          'Drafts as if finalized now, finalized documents as they are, void ones left out: balanced journal entries per entity, currency and posting date (journal mode) or one ERP document per document (invoice mode). Nothing is stored or sent.',
        tags: ['posting'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { period: { type: 'string', description: 'The billing period, YYYY-MM (required).' } },
        },
        response: {
          200: { ...previewSchema, description: 'The postings the period would make.' },
          400: problemResponse('The period is missing or not YYYY-MM.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.previewPostings(request.query.period),
  );
}
