import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import {
  ingestLagoEvents,
  lagoErrorResponses,
  lagoEventInputSchema,
  lagoEventObjectSchema,
  lagoParameterMissing,
  lagoValidationError,
  toApiLagoEvent,
  type LagoCompatDependencies,
} from './lago-api.js';

/** Rails' `params.require(:event)`: absent, null, "" and {} all count as missing. */
function requiredEvent(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Object.hasOwn(body, 'event'))
    return undefined;
  const event = (body as Record<string, unknown>).event;
  if (event === null || event === '') return undefined;
  if (typeof event === 'object' && !Array.isArray(event) && Object.keys(event).length === 0) return undefined;
  return event;
}

export function registerCreateLagoEvent(app: FastifyInstance, deps: LagoCompatDependencies): void {
  app.post('/compat/lago/api/v1/events', {
    onRequest: requirePermission(deps.access, 'ingest'),
    // Lago's own field checks and error codes apply (lago-event.ts), not Ajv's; the schema documents the body.
    validatorCompiler: () => () => true,
    schema: {
      summary: 'Ingest one usage event (Lago-compatible)',
      description:
        "Drop-in for Lago's POST /api/v1/events: point a Lago client's baseUrl at /compat/lago/api/v1. The event becomes a CloudEvent (transaction_id -> id, code -> type, external_subscription_id -> subject and source lago/subscription/<id>, timestamp -> time, properties -> data) and passes the same validation as /v1/events. Unlike Lago, an exact retry (same transaction_id and external_subscription_id, same content) answers 200 with the event and stores nothing; the same transaction_id with other content is 422 value_already_exist and the original is kept.",
      tags: ['compat'],
      security: [{ bearer: [] }],
      body: { type: 'object', required: ['event'], properties: { event: lagoEventInputSchema } },
      response: {
        200: {
          type: 'object',
          description: 'Stored, or an exact retry of a stored event.',
          required: ['event'],
          properties: { event: lagoEventObjectSchema },
        },
        ...lagoErrorResponses,
      },
    },
    handler: async (request, reply) => {
      const raw = requiredEvent(request.body);
      if (raw === undefined) return reply.status(400).send(lagoParameterMissing('event'));
      const receivedAt = deps.clock.now();
      const outcome = await ingestLagoEvents(deps.ingestion, [raw]);
      if (!outcome.ok) return reply.status(422).send(lagoValidationError(outcome.errors.get(0) ?? {}));
      return reply
        .status(200)
        .send({ event: toApiLagoEvent(outcome.events[0] as (typeof outcome.events)[number], receivedAt) });
    },
  });
}
