import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses } from '../../problem-schema.js';
import { requestActor } from '../../request-actor.js';

export function registerPostInvoicesFinalizeDue(app: FastifyInstance, deps: HttpDependencies): void {
  app.post(
    '/v1/invoices/finalize-due',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Finalize every draft whose grace period has passed',
        description:
          'Earliest period first, each as POST /v1/invoices/{id}/finalize does it. A draft finalized meanwhile by someone else, or drafted against prepaid credits, late-usage adjustments or in-advance fees that have changed since (a billing run of its period redraws it), is skipped and listed with the reason. Audited.',
        tags: ['billing'],
        security: [{ bearer: [] }],
        response: {
          200: {
            type: 'object',
            description: 'The invoices this call finalized, and the due drafts it left.',
            required: ['finalized', 'skipped'],
            properties: {
              finalized: {
                type: 'array',
                items: { type: 'string' },
                description: 'Invoice ids, in the order they were finalized.',
              },
              skipped: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'reason'],
                  properties: { id: { type: 'string' }, reason: { type: 'string' } },
                },
                description: 'Due drafts not finalized, with why.',
              },
            },
          },
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.billing.finalizeDue(requestActor(request)),
  );
}
