import type { FastifyInstance } from 'fastify';
import { toApiAlert } from '../../../modules/alerts/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses } from '../../problem-schema.js';
import { evaluationSchema } from './alert-route-schemas.js';

export function registerPostAlertsEvaluate(app: FastifyInstance, deps: HttpDependencies): void {
  app.post(
    '/v1/alerts/evaluate',
    {
      onRequest: requirePermission(deps.access, 'finance'),
      schema: {
        summary: 'Evaluate every alert rule now (as the serve worker does), then deliver the notifications due',
        tags: ['alerts'],
        security: [{ bearer: [] }],
        response: {
          200: { ...evaluationSchema, description: 'What the evaluation opened and resolved.' },
          ...authProblemResponses,
        },
      },
    },
    async () => {
      const result = await deps.alerts.evaluate();
      const notifications = await deps.alerts.deliver();
      return {
        ...result,
        evaluatedAt: result.evaluatedAt.toISOString(),
        fired: result.fired.map(toApiAlert),
        resolved: result.resolved.map(toApiAlert),
        notifications,
      };
    },
  );
}
