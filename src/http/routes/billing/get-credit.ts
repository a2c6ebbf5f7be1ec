import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { creditDetailSchema, creditParams } from './credit-route-schemas.js';

export function registerGetCredit(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { subscription: string; credit: string } }>(
    '/v1/credits/:subscription/:credit',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'One prepaid credit: its balance and every document that used it',
        tags: ['billing'],
        security: [{ bearer: [] }],
        params: creditParams,
        response: {
          200: { ...creditDetailSchema, description: 'The credit with its entries.' },
          404: problemResponse('The current catalog has no such credit.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.billing.credit(request.params.subscription, request.params.credit),
  );
}
