import type { FastifyInstance } from 'fastify';
import { parsePostingQuery, type PostingParams } from '../../../modules/outbox/index.js';
import { fetchPage } from '../../../platform/paging.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { postingPageSchema, postingQuerystring } from './posting-route-schemas.js';

export function registerListPostings(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Querystring: PostingParams }>(
    '/v1/postings',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'List postings in id order: filter by status (dead for the dead-letter queue), target and period',
        tags: ['posting'],
        security: [{ bearer: [] }],
        querystring: postingQuerystring,
        response: {
          200: { ...postingPageSchema, description: 'One page of postings.' },
          400: problemResponse('A parameter is unknown or invalid; `errors` lists each one at /query/<name>.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const { filter, limit } = parsePostingQuery(request.query);
      return fetchPage(
        limit,
        (size) => deps.postings.list(filter, size),
        (posting) => posting.id,
      );
    },
  );
}
