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
          'Body `{ "period": "2026-10", "entity"?: "US", "repair"?: false, "stuckAfterHours"?: 24 }`. Compares accepted usage with finalized documents, and the documents with the postings that carry them and with what each target holds when read back through its connector (paced within its limits). The report is kept; with `repair`, safe fixes are made and audited. A period not yet closed gets a provisional report; a target that cannot be read back is named unverified, never clean. With `Prefer: respond-async` the run is queued for the reconciliation worker of the service and answered at once (202, status `queued`, `Location` the run): read it until its status is `completed` or `failed`.',
        tags: ['reconciliation'],
        security: [{ bearer: [] }],
        response: {
          201: { ...reportSchema, description: 'The kept report.' },
          202: { ...reportSchema, description: 'The run, queued (Prefer: respond-async).' },
          400: problemResponse('The body is not a reconciliation request; `errors` lists each problem.'),
          ...authProblemResponses,
        },
      },
    },
    async (request, reply) => {
      if (prefersAsync(request.headers.prefer)) {
        const queued = await deps.reconciliations.queue(request.body, requestActor(request));
        return reply
          .code(202)
          .header('location', `/v1/reconciliations/${queued.id}`)
          .header('preference-applied', 'respond-async')
          .send(queued);
      }
      const report = await deps.reconciliations.run(request.body, requestActor(request));
      return reply.code(201).send(report);
    },
  );
}

/** RFC 7240: `respond-async` among the preferences (one header, or several joined by commas). */
function prefersAsync(header: string | string[] | undefined): boolean {
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.some((value) =>
    value.split(',').some((preference) => preference.split(';')[0]!.trim().toLowerCase() === 'respond-async'),
  );
}
