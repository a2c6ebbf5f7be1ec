import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { exceptionIdsBody, exceptionListSchema } from './metering-route-schemas.js';
import { requestActor } from '../../request-actor.js';

export function registerPostExceptionsIgnore(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Body: { ids: unknown[]; reason: string } }>(
    '/v1/exceptions/ignore',
    {
      // Ignoring decides that an event is not billed: a money decision, so finance (or admin).
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Close open exceptions as ignored, with a reason',
        description:
          'All or none: every id must exist and be open. The exceptions are kept, closed as ignored with the reason and the API key as `resolvedBy`, and each is audited. Replays never reopen an ignored exception.',
        tags: ['metering'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['ids', 'reason'],
          properties: {
            ids: exceptionIdsBody,
            reason: { type: 'string', description: 'Why they need no fix, 1-1000 characters (kept and audited).' },
          },
        },
        response: {
          200: { ...exceptionListSchema, description: 'The exceptions as ignored, in id order.' },
          400: problemResponse('Missing or invalid ids or reason; `errors` lists each one.'),
          ...authProblemResponses,
          404: problemResponse('An id names no exception.'),
          409: problemResponse('An exception is not open; `errors` names each one.'),
        },
      },
    },
    async (request) => deps.metering.exceptions.ignore(request.body.ids, request.body.reason, requestActor(request)),
  );
}
