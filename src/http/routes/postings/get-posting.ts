import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { postingDetailSchema, postingIdParams } from './posting-route-schemas.js';

export function registerGetPosting(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { id: string } }>(
    '/v1/postings/:id',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Read one posting: its document, and every attempt with the target’s own answer',
        tags: ['posting'],
        security: [{ bearer: [] }],
        params: postingIdParams,
        response: {
          200: { ...postingDetailSchema, description: 'The posting and its attempts.' },
          404: problemResponse('No such posting.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.postings.get(request.params.id),
  );
}
