import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { requestActor } from '../../request-actor.js';
import { postingIdParams, postingSchema } from './posting-route-schemas.js';

export function registerPostPostingRetry(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Params: { id: string } }>(
    '/v1/postings/:id/retry',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Send a dead posting again',
        description:
          'Renders its document again from the current catalog (a fixed mapping takes effect) and puts it back in line; the target is read back first, so nothing is posted twice. Audited.',
        tags: ['posting'],
        security: [{ bearer: [] }],
        params: postingIdParams,
        response: {
          200: { ...postingSchema, description: 'The posting, pending again.' },
          404: problemResponse('No such posting.'),
          409: problemResponse('The posting is not dead.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.postings.retry(request.params.id, requestActor(request)),
  );
}
