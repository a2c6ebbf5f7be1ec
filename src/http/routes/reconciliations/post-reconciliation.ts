import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { requestActor } from '../../request-actor.js';
import { reportSchema } from './reconciliation-route-schemas.js';

export function registerPostReconciliation(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Body: unknown }>(
    '/v1/reconciliations',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Reconcile a period three ways: usage, documents, and what each target holds, read back',
        description:
          'Body `{ "period": "2026-10", "entity"?: "US", "repair"?: false, "stuckAfterHours"?: 24 }`. Compares accepted usage with finalized documents, and the documents with the postings that carry them and with what each target holds when read back through its connector (paced within its limits). The report is kept; with `repair`, safe fixes are made and audited. A period not yet closed gets a provisional report; a target that cannot be read back is named unverified, never clean.',
        tags: ['reconciliation'],
        security: [{ bearer: [] }],
        response: {
          201: { ...reportSchema, description: 'The kept report.' },
          400: problemResponse('The body is not a reconciliation request; `errors` lists each problem.'),
          ...authProblemResponses,
        },
      },
    },
    async (request, reply) => {
      const report = await deps.reconciliations.run(request.body, requestActor(request));
      return reply.code(201).send(report);
    },
  );
}
