import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { invoiceIdParams, invoiceSchema } from './billing-route-schemas.js';

export function registerGetInvoice(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { id: string } }>(
    '/v1/invoices/:id',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'Read one invoice with its lines',
        tags: ['billing'],
        security: [{ bearer: [] }],
        params: invoiceIdParams,
        response: {
          200: { ...invoiceSchema, description: 'The invoice.' },
          404: problemResponse('No such invoice.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.billing.get(request.params.id),
  );
}
