import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { invoicePageSchema, invoiceQuerystring } from './billing-route-schemas.js';
import { parseInvoiceQuery, type InvoiceParams } from '../../../modules/billing/index.js';
import { fetchPage } from '../../../platform/paging.js';

export function registerListInvoices(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Querystring: InvoiceParams }>(
    '/v1/invoices',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'List invoices in id order, filtered and paged',
        description:
          'Invoices without their lines (GET /v1/invoices/{id} has them). Page on with `after` set to the `next` of the previous page.',
        tags: ['billing'],
        security: [{ bearer: [] }],
        querystring: invoiceQuerystring,
        response: {
          200: { ...invoicePageSchema, description: 'One page of invoices.' },
          400: problemResponse('A parameter is unknown or invalid; `errors` lists each one at /query/<name>.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const { filter, limit } = parseInvoiceQuery(request.query);
      return fetchPage(
        limit,
        (size) => deps.billing.list(filter, size),
        (invoice) => invoice.id,
      );
    },
  );
}
