import type { FastifyInstance } from 'fastify';
import { toApiAlert, type AlertParams } from '../../../modules/alerts/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { alertPageSchema, alertQuerystring } from './alert-route-schemas.js';

export function registerListAlerts(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Querystring: AlertParams }>(
    '/v1/alerts',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'List alerts newest first: filter open or resolved, by rule; each with when it fired and resolved',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        querystring: alertQuerystring,
        response: {
          200: { ...alertPageSchema, description: 'One page of alerts.' },
          400: problemResponse('A parameter is unknown or invalid; `errors` lists each one at /query/<name>.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => {
      const page = await deps.alerts.list(request.query);
      return { items: page.items.map(toApiAlert), next: page.next };
    },
  );
}
