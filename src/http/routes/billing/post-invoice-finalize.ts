import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { requestActor } from '../../request-actor.js';
import { invoiceIdParams, invoiceSchema } from './billing-route-schemas.js';

export function registerPostInvoiceFinalize(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Params: { id: string } }>(
    '/v1/invoices/:id/finalize',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Finalize a draft invoice now, without waiting for its grace period',
        description:
          'Gives it the next number of its legal entity (consecutive, no gaps), freezes it and the usage it bills (replays never change it again) and queues `invoice.finalized` in the outbox, in one transaction. Audited.',
        tags: ['billing'],
        security: [{ bearer: [] }],
        params: invoiceIdParams,
        response: {
          200: { ...invoiceSchema, description: 'The finalized invoice.' },
          404: problemResponse('No such invoice.'),
          409: problemResponse('The invoice is not a draft (already finalized, or void).'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.billing.finalize(request.params.id, requestActor(request)),
  );
}
