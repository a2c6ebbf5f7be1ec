import type { FastifyInstance } from 'fastify';
import { parseApiKeyId } from '../../../modules/access/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { requestActor } from '../../request-actor.js';
import { apiKeyIdParams, apiKeySchema } from './api-key-route-schemas.js';

export function registerPostApiKeyRevoke(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Params: { id: string } }>(
    '/v1/api-keys/:id/revoke',
    {
      onRequest: requirePermission(deps.access, 'admin'),
      schema: {
        summary: 'Revoke an API key: it stops authenticating at once',
        description:
          'The key is kept, marked revoked, and answers 401 from the next request on; revocation cannot be undone. The last active admin key cannot be revoked: create another admin key first. Audited.',
        tags: ['api-keys'],
        security: [{ bearer: [] }],
        params: apiKeyIdParams,
        response: {
          200: { ...apiKeySchema, description: 'The key, now revoked.' },
          400: problemResponse('The id is malformed; `errors` names it at /params/id.'),
          ...authProblemResponses,
          404: problemResponse('No such API key.'),
          409: problemResponse('The key is already revoked, or it is the last active admin key.'),
        },
      },
    },
    async (request) => deps.access.revokeKey(parseApiKeyId(request.params.id, '/params/id'), requestActor(request)),
  );
}
