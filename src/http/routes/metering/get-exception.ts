import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { exceptionSchema } from './metering-route-schemas.js';

export function registerGetException(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Params: { id: string } }>(
    '/v1/exceptions/:id',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: "Read one metering exception with its event's identity",
        tags: ['metering'],
        security: [{ bearer: [] }],
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', maxLength: 64, description: 'The exception id (a positive integer).' } },
        },
        response: {
          200: { ...exceptionSchema, description: 'The exception.' },
          400: problemResponse('The id is not a positive integer.'),
          404: problemResponse('No such exception.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.metering.exceptions.get(request.params.id),
  );
}
