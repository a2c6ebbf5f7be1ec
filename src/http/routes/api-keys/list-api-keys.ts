import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses } from '../../problem-schema.js';
import { apiKeySchema } from './api-key-route-schemas.js';

export function registerListApiKeys(app: FastifyInstance, deps: HttpDependencies): void {
  app.get(
    '/v1/api-keys',
    {
      onRequest: requirePermission(deps.access, 'admin'),
      schema: {
        summary: 'List API keys, revoked ones included',
        description:
          "Oldest first, not paged (keys are few). Never shows a key's secret or hash: the secret is shown once, when the key is created.",
        tags: ['api-keys'],
        security: [{ bearer: [] }],
        response: {
          200: {
            type: 'object',
            description: 'Every API key.',
            required: ['items'],
            properties: { items: { type: 'array', items: apiKeySchema } },
          },
          ...authProblemResponses,
        },
      },
    },
    async () => ({ items: await deps.access.listKeys() }),
  );
}
