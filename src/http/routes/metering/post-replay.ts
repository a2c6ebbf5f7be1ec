import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { replayResultSchema } from './metering-route-schemas.js';
import { requestActor } from '../../request-actor.js';

const text = (description: string) => ({ type: 'string', description }) as const;

export function registerPostReplay(app: FastifyInstance, deps: HttpDependencies): void {
  app.post<{ Body: { from: string; to: string; customer?: string; meter?: string } }>(
    '/v1/replays',
    {
      onRequest: requirePermission(deps.access, 'admin'),
      schema: {
        summary: 'Derive the usage of a time range again under the current catalog',
        description:
          'Synchronous. Events whose time is in [from, to) (and that the metering stage has read) are derived again: usage is created, rewritten or removed and exceptions opened, updated or resolved to match. Deterministic: a second replay changes nothing. Invoiced records are never changed; what would change on them is listed under `invoiced`. Ignored exceptions stay ignored. Audited.',
        tags: ['metering'],
        security: [{ bearer: [] }],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: {
            from: text('RFC 3339 date-time with a zone: event time at or after.'),
            to: text('RFC 3339 date-time with a zone, later than from: event time before.'),
            customer: text('Only usage of this customer (before or after the replay).'),
            meter: text('Only this meter.'),
          },
        },
        response: {
          200: { ...replayResultSchema, description: 'What the replay changed.' },
          400: problemResponse('Missing or invalid from, to, customer or meter; `errors` lists each one.'),
          ...authProblemResponses,
          412: problemResponse('No catalog has been applied yet.'),
        },
      },
    },
    async (request) => deps.metering.replay({ ...request.body, actor: requestActor(request) }),
  );
}
