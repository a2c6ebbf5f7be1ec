import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { requestActor } from '../../request-actor.js';
import { cancelBody, postingIdParams, postingSchema } from './posting-route-schemas.js';

export function registerPostPostingCancel(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
    '/v1/postings/:id/cancel',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Give up on a posting that is not delivered, with a reason',
        description: 'It is never sent again. Audited with the reason.',
        tags: ['posting'],
        security: [{ bearer: [] }],
        params: postingIdParams,
        body: cancelBody,
        response: {
          200: { ...postingSchema, description: 'The cancelled posting.' },
          400: problemResponse('No reason was given.'),
          404: problemResponse('No such posting.'),
          409: problemResponse('The posting is delivered, cancelled or being delivered.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.postings.cancel(request.params.id, request.body?.reason, requestActor(request)),
  );
}
