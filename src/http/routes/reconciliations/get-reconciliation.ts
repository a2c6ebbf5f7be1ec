import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { REPORT_PARTS, reportCsv, type ReportPart } from '../../../modules/reconciliation/index.js';
import { ValidationError } from '../../../platform/errors.js';
import { reportSchema, runIdParams } from './reconciliation-route-schemas.js';

export function registerGetReconciliation(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { id: string }; Querystring: { format?: string; part?: string } }>(
    '/v1/reconciliations/:id',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'A kept reconciliation report, as JSON or CSV',
        description:
          '`format=csv` answers one part as CSV: `part=mismatches` (the default), `totals` (per entity, currency and target: invoiced, posted, verified) or `meters` (usage against documents per customer and meter).',
        tags: ['reconciliation'],
        security: [{ bearer: [] }],
        params: runIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: { type: 'string', description: 'json (the default) or csv.' },
            part: { type: 'string', description: 'With csv: mismatches (default), totals or meters.' },
          },
        },
        response: {
          200: { ...reportSchema, description: 'The report (JSON), or one part of it (text/csv).' },
          400: problemResponse('An unknown format or part.'),
          404: problemResponse('No such reconciliation.'),
          ...authProblemResponses,
        },
      },
    },
    async (request, reply) => {
      const { format = 'json', part = 'mismatches' } = request.query;
      const errors = [];
      if (format !== 'json' && format !== 'csv') errors.push({ path: '/query/format', message: 'must be json or csv' });
      if (!(REPORT_PARTS as readonly string[]).includes(part))
        errors.push({ path: '/query/part', message: `must be one of ${REPORT_PARTS.join(', ')}` });
      if (errors.length > 0) throw new ValidationError('invalid report request', errors);
      const report = await deps.reconciliations.get(request.params.id);
      if (format === 'json') return report;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${report.id}-${part}.csv"`)
        .serializer((payload: string) => payload)
        .send(reportCsv(report, part as ReportPart));
    },
  );
}
