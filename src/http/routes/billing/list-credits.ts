import type { FastifyInstance } from 'fastify';
import { parseCreditQuery, type CreditParams } from '../../../modules/billing/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { creditPageSchema, creditQuerystring } from './credit-route-schemas.js';
import { fetchPage } from '../../../platform/paging.js';

export function registerListCredits(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Querystring: CreditParams }>(
    '/v1/credits',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: "Balances of the contracts' prepaid credits and commits",
        description:
          'Each credit of the current catalog with what finalized and draft documents drew and what is left, by id (subscription/credit).',
        tags: ['billing'],
        security: [{ bearer: [] }],
        querystring: creditQuerystring,
        response: {
          200: { ...creditPageSchema, description: 'One page of credit balances.' },
          400: problemResponse('A parameter is unknown or invalid; `errors` lists each one at /query/<name>.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const { filter, limit } = parseCreditQuery(request.query);
      return fetchPage(
        limit,
        (size) => deps.billing.credits(filter, size),
        (credit) => credit.id,
      );
    },
  );
}
