import type { FastifyInstance } from 'fastify';
import { parseExceptionQuery, type ExceptionFilter, type ExceptionParams } from '../../../modules/metering/index.js';
import { ValidationError } from '../../../platform/errors.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { exceptionFilterBody, exceptionIdsBody, reprocessResultSchema } from './metering-route-schemas.js';
import { requestActor } from '../../request-actor.js';

interface ReprocessBody {
  ids?: unknown[];
  filter?: Omit<ExceptionParams, 'status' | 'after' | 'limit'>;
  acceptBeyondHorizon?: boolean;
}

/** The selection the module takes; ids and a filter together would be ambiguous (and or or?), so neither wins. */
function selectionOf(body: ReprocessBody): {
  ids?: unknown[];
  filter?: ExceptionFilter;
  acceptBeyondHorizon?: boolean;
} {
  const { ids, filter, acceptBeyondHorizon } = body;
  if (ids !== undefined && filter !== undefined) {
    throw new ValidationError('give either ids or a filter, not both', [
      { path: '/filter', message: 'cannot be combined with /ids' },
    ]);
  }
  if (ids !== undefined) return { ids, acceptBeyondHorizon };
  if (filter !== undefined)
    return { filter: parseExceptionQuery(filter, (name) => `/filter/${name}`).filter, acceptBeyondHorizon };
  return { acceptBeyondHorizon };
}

export function registerPostExceptionsReprocess(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Body: ReprocessBody }>(
    '/v1/exceptions/reprocess',
    {
      // Reprocessing turns exceptions into billable usage: a money decision, so finance (or admin).
      onRequest: requirePermission(deps.access, 'finance'),
      // No body at all means what `{}` means (every open exception); validation would refuse undefined.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: 'Derive open exceptions again under the current catalog',
        description:
          'Selects open exceptions by `ids` or by `filter` (not both; no body or `{}` selects every open exception) and derives their events again: those whose cause is fixed (an alias added, say) become usage and close as resolved/reprocessed, the rest stay open. Audited.',
        tags: ['metering'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ids: exceptionIdsBody,
            filter: exceptionFilterBody,
            acceptBeyondHorizon: {
              type: 'boolean',
              description: 'A person accepts events that arrived beyond the horizon (audited).',
            },
          },
        },
        response: {
          200: { ...reprocessResultSchema, description: 'What the new derivation changed.' },
          400: problemResponse('Invalid ids or filter, or both given; `errors` lists each one.'),
          ...authProblemResponses,
          412: problemResponse('No catalog has been applied yet.'),
        },
      },
    },
    async (request) => deps.metering.exceptions.reprocess(selectionOf(request.body), requestActor(request)),
  );
}
