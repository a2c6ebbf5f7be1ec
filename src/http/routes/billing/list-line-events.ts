import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { lineEventPageSchema, lineEventQuerystring } from './billing-route-schemas.js';
import { parseLineEventQuery, type LineEventParams } from '../../../modules/billing/index.js';
import { fetchPage } from '../../../platform/paging.js';

export function registerListLineEvents(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { id: string; line: string }; Querystring: LineEventParams }>(
    '/v1/invoices/:id/lines/:line/events',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'The raw events behind a usage line (lineage), in log order, paged',
        description:
          "The events whose usage a usage line bills: of a draft, the usage not yet invoiced; of a final invoice, exactly the usage it froze. Their values add up to the line's quantity (sum meters) or their number is it (count meters). Other lines have none. Page on with `after` set to the `next` of the previous page.",
        tags: ['billing'],
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          required: ['id', 'line'],
          properties: {
            id: { type: 'string', maxLength: 200, description: 'The invoice id.' },
            line: { type: 'string', maxLength: 20, description: 'The line number (lineNo), from 1.' },
          },
        },
        querystring: lineEventQuerystring,
        response: {
          200: { ...lineEventPageSchema, description: 'One page of events.' },
          400: problemResponse('The line number, after or limit is invalid; `errors` lists each one.'),
          404: problemResponse('No such invoice, or it has no such line.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const { lineNo, after, limit } = parseLineEventQuery(request.params.line, request.query, '/params/line');
      return fetchPage(
        limit,
        (size) => deps.billing.lineEvents(request.params.id, lineNo, after, size),
        (event) => event.seq,
      );
    },
  );
}
