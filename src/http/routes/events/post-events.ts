import type { FastifyInstance } from 'fastify';
import { eventMediaType, parseEventsBody, type IngestResult } from '../../../modules/ingestion/index.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse, problemSchema } from '../../problem-schema.js';
import { bodyBuffer } from '../../raw-body-scope.js';
import { cloudEventSchema, ingestResultSchema } from './ingest-result-schema.js';

/** 200 when every event was stored or already known, 207 when some were rejected, 400 when all were. */
function ingestStatus(result: IngestResult): number {
  if (result.rejected.length === 0) return 200;
  return result.accepted + result.duplicates > 0 ? 207 : 400;
}

export function registerPostEvents(app: FastifyInstance, deps: HttpDependencies): void {
  const { maxBatchEvents } = deps.config.ingestion;
  app.post('/v1/events', {
    onRequest: requirePermission(deps.access, 'ingest'),
    // The body is parsed by the ingestion module (per-event answers); this schema only documents it.
    validatorCompiler: () => () => true,
    schema: {
      summary: 'Ingest usage events (CloudEvents 1.0)',
      description:
        'Accepts application/cloudevents+json (one event), application/cloudevents-batch+json (array), application/json (object or array) and application/x-ndjson (one event per line). Deduplicates on (source, id) forever.',
      tags: ['ingestion'],
      security: [{ bearer: [] }],
      body: { oneOf: [cloudEventSchema, { type: 'array', items: cloudEventSchema }] },
      response: {
        200: { ...ingestResultSchema, description: 'Every event accepted or duplicate.' },
        207: { ...ingestResultSchema, description: 'Some events rejected; the others were stored.' },
        400: {
          description: 'Every event rejected (outcome body), or the body itself is unusable (problem).',
          content: {
            'application/json': { schema: ingestResultSchema },
            'application/problem+json': { schema: problemSchema },
          },
        },
        413: problemResponse('Body or batch over the limit.'),
        415: problemResponse('Unsupported content type.'),
        ...authProblemResponses,
      },
    },
    handler: async (request, reply) => {
      const items = parseEventsBody(
        bodyBuffer(request.body),
        eventMediaType(request.headers['content-type']),
        maxBatchEvents,
      );
      const result = await deps.ingestion.ingest(items);
      return reply.status(ingestStatus(result) as 200).send(result);
    },
  });
}
