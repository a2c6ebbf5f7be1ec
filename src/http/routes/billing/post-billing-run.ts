import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { requestActor } from '../../request-actor.js';
import { billingRunSummarySchema } from './billing-route-schemas.js';

export function registerPostBillingRun(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Body: { period: string } }>(
    '/v1/billing-runs',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Close a calendar month: draft (or redraft) its invoices',
        description:
          'Synchronous. Drafts the invoice of every subscription period that starts in the month and has ended, from the metered usage and the current catalog, in one transaction. Running it again changes only the drafts whose usage changed; finalized invoices are never touched. Periods not ended yet are listed under `pending`. Audited.',
        tags: ['billing'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['period'],
          properties: {
            period: { type: 'string', description: 'The calendar month, such as "2026-10"; it must have ended.' },
          },
        },
        response: {
          201: { ...billingRunSummarySchema, description: 'What the run drafted.' },
          400: problemResponse('The period is missing, malformed or has not ended yet; `errors` lists each problem.'),
          ...authProblemResponses,
          409: problemResponse('A billing run for the same month is running; try again when it has finished.'),
          412: problemResponse('No catalog has been applied yet.'),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await deps.billing.run(request.body.period, requestActor(request))),
  );
}
