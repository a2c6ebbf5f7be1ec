import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../authenticate.js';
import {
  byIndex,
  ingestLagoEvents,
  LAGO_MAX_BATCH_EVENTS,
  lagoErrorResponses,
  lagoEventInputSchema,
  lagoEventObjectSchema,
  lagoValidationError,
  toApiLagoEvent,
  type LagoCompatDependencies,
} from './lago-api.js';

export function registerCreateLagoBatchEvents(app: FastifyInstance, deps: LagoCompatDependencies): void {
  const maxEvents = Math.min(LAGO_MAX_BATCH_EVENTS, deps.config.ingestion.maxBatchEvents);
  app.post('/compat/lago/api/v1/events/batch', {
    onRequest: requirePermission(deps.access, 'ingest'),
    // Lago's own field checks and error codes apply (lago-event.ts), not Ajv's; the schema documents the body.
    validatorCompiler: () => () => true,
    schema: {
      summary: 'Ingest a batch of usage events (Lago-compatible)',
      description: `Drop-in for Lago's POST /api/v1/events/batch, up to ${maxEvents} events. All-or-nothing: if any event is invalid, nothing is stored and the 422 lists every invalid event by its index. Each event maps to a CloudEvent as in POST /compat/lago/api/v1/events. Unlike Lago, events that are exact retries of stored ones are answered as stored (idempotent retry). A transaction_id reused with other content, within the batch or against a stored event, is 422 value_already_exist at its index; in the latter case the batch's new events are kept, so resending the corrected batch is safe.`,
      tags: ['compat'],
      security: [{ bearer: [] }],
      body: {
        type: 'object',
        required: ['events'],
        properties: { events: { type: 'array', maxItems: maxEvents, items: lagoEventInputSchema } },
      },
      response: {
        200: {
          type: 'object',
          description: 'Every event stored, or an exact retry of a stored event.',
          required: ['events'],
          properties: { events: { type: 'array', items: lagoEventObjectSchema } },
        },
        ...lagoErrorResponses,
      },
    },
    handler: async (request, reply) => {
      const body = request.body;
      // Lago answers a missing or empty list with no_events, not with a 400.
      const raws =
        body !== null && typeof body === 'object' && Object.hasOwn(body, 'events')
          ? (body as Record<string, unknown>).events
          : undefined;
      if (!Array.isArray(raws) || raws.length === 0)
        return reply.status(422).send(lagoValidationError({ events: ['no_events'] }));
      if (raws.length > maxEvents) return reply.status(422).send(lagoValidationError({ events: ['too_many_events'] }));
      const receivedAt = deps.clock.now();
      const outcome = await ingestLagoEvents(deps.ingestion, raws);
      if (!outcome.ok) return reply.status(422).send(lagoValidationError(byIndex(outcome.errors)));
      return reply.status(200).send({ events: outcome.events.map((event) => toApiLagoEvent(event, receivedAt)) });
    },
  });
}
