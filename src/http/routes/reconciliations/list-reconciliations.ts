import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { calendarMonth } from '../../../modules/billing/index.js';
import { ValidationError, type FieldError } from '../../../platform/errors.js';
import { runSchema } from './reconciliation-route-schemas.js';

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z)\|(rec_[0-9a-f-]{36})$/;

export function registerListReconciliations(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Querystring: { period?: string; limit?: string; after?: string } }>(
    '/v1/reconciliations',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'The kept reconciliation runs, newest first',
        description: 'Each run without its mismatches (read one for them). Page on with `after` set to `next`.',
        tags: ['reconciliation'],
        security: [{ bearer: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            period: { type: 'string', description: 'Only runs of this month, YYYY-MM.' },
            limit: { type: 'string', description: '1 to 100, default 20.' },
            after: { type: 'string', description: 'The `next` of the previous page.' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['items', 'next'],
            properties: { items: { type: 'array', items: runSchema }, next: { type: ['string', 'null'] } },
          },
          400: problemResponse('A parameter is invalid; `errors` lists each one.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const { period, limit = '20', after } = request.query;
      const errors: FieldError[] = [];
      if (period !== undefined && !calendarMonth(period))
        errors.push({ path: '/query/period', message: 'must be a month, YYYY-MM' });
      const size = /^\d{1,3}$/.test(limit) ? Number(limit) : 0;
      if (size < 1 || size > 100) errors.push({ path: '/query/limit', message: 'must be an integer from 1 to 100' });
      const cursor = after === undefined ? undefined : CURSOR.exec(after);
      if (after !== undefined && !cursor)
        errors.push({ path: '/query/after', message: 'must be the `next` of a previous page' });
      if (errors.length > 0) throw new ValidationError('invalid reconciliation list', errors);
      const runs = await deps.reconciliations.list(
        { period, ...(cursor ? { before: { startedAt: cursor[1]!, id: cursor[3]! } } : {}) },
        size + 1,
      );
      const items = runs.slice(0, size);
      const last = items.at(-1);
      return { items, next: runs.length > size && last ? `${last.startedAt}|${last.id}` : null };
    },
  );
}
