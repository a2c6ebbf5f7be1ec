import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { requestActor } from '../../request-actor.js';
import { ValidationError } from '../../../platform/errors.js';
import { mismatchSchema } from './reconciliation-route-schemas.js';

export function registerPostMismatchRepair(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Params: { id: string; seq: string } }>(
    '/v1/reconciliations/:id/mismatches/:seq/repair',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Repair one kept mismatch, when that is safe',
        description:
          'Only a posting the target does not hold (put back in line) and a stuck posting (made due now) are repaired; the dispatcher reads back before it sends, so nothing is posted twice. Audited. Any other mismatch is refused with the reason and what a person must do.',
        tags: ['reconciliation'],
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          required: ['id', 'seq'],
          properties: { id: { type: 'string', maxLength: 200 }, seq: { type: 'string', maxLength: 10 } },
        },
        response: {
          200: { ...mismatchSchema, description: 'The mismatch, repaired.' },
          400: problemResponse('The mismatch number is not a positive integer.'),
          404: problemResponse('No such reconciliation or mismatch.'),
          409: problemResponse('Not safe to repair, or repaired already; the detail says why.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const seq = /^[1-9]\d{0,8}$/.test(request.params.seq) ? Number(request.params.seq) : undefined;
      if (seq === undefined)
        throw new ValidationError('invalid mismatch', [{ path: '/params/seq', message: 'must be a positive integer' }]);
      return deps.reconciliations.repair(request.params.id, seq, requestActor(request));
    },
  );
}
