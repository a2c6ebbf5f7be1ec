import type { FastifyInstance } from 'fastify';
import { parseExceptionQuery, type ExceptionParams } from '../../../modules/metering/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { exceptionPageSchema, exceptionQuerystring } from './metering-route-schemas.js';

export function registerListExceptions(app: FastifyInstance, deps: HttpDependencies): void {
  app.get<{ Querystring: ExceptionParams }>(
    '/v1/exceptions',
    {
      onRequest: requirePermission(deps.access, 'read'),
      schema: {
        summary: 'List metering exceptions, oldest first, filtered and paged',
        description:
          'Events a meter matched but that could not become usage, with why. Page on with `after` set to the `next` of the previous page.',
        tags: ['metering'],
        security: [{ bearer: [] }],
        querystring: exceptionQuerystring,
        response: {
          200: { ...exceptionPageSchema, description: 'One page of exceptions in id order.' },
          400: problemResponse('A parameter is unknown or invalid; `errors` lists each one at /query/<name>.'),
          ...authProblemResponses,
        },
      },
    },
    async (request) => deps.metering.exceptions.list(parseExceptionQuery(request.query)),
  );
}
