import type { FastifyInstance } from 'fastify';
import { parseLineageQuery, type LineageService } from '../../../modules/lineage/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { lineageQuerystring, lineageSchema } from './lineage-route-schemas.js';

export function registerGetLineage(app: FastifyInstance, deps: HttpDependencies, lineage: LineageService): void {
  app.get<{ Querystring: Record<string, unknown> }>(
    '/v1/lineage',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'Lineage: from an event to its usage, invoice lines and postings, or back from a document or a line',
        description:
          "Give one of `event` (or `source` and `id`), `document`, or `invoice` and `line`. From an event: its usage records (or why there is none), the invoice line billing each, and the postings carrying that line with their lines. From a target's document: its postings, the invoices and lines they carry, with amounts, and the first page of each usage line's events (page on with `GET /v1/invoices/{id}/lines/{line}/events?after=<next>`). From an invoice line: its events and its postings.",
        tags: ['lineage'],
        security: [{ bearer: [] }],
        querystring: lineageQuerystring,
        response: {
          200: { ...lineageSchema },
          400: problemResponse('No lookup, several, or a malformed or repeated parameter; `errors` lists each one.'),
          404: problemResponse('Nothing has that id: `errors` says what was looked up.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => lineage.lookup(parseLineageQuery(request.query)),
  );
}
