import type { FastifyInstance } from 'fastify';
import {
  eventMediaType,
  parseEventsBody,
  type EventMediaType,
  type Rejection,
} from '../../../modules/ingestion/index.js';
import { UnsupportedMediaTypeError, ValidationError, type FieldError } from '../../../platform/errors.js';
import { requirePermission } from '../../authenticate.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import { authProblemResponses, problemResponse } from '../../problem-schema.js';
import { bodyBuffer } from '../../raw-body-scope.js';
import { cloudEventSchema } from '../events/ingest-result-schema.js';

const OPENMETER_MEDIA_TYPES: readonly EventMediaType[] = [
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'application/json',
];
// Only a tiny body can be an empty array; longer ones skip the check.
const EMPTY_ARRAY = /^\s*\[\s*\]\s*$/;
const EMPTY_ARRAY_MAX_BYTES = 64;

/** OpenMeter's three media types (no NDJSON); the charset rules are the native endpoint's. */
function openMeterMediaType(header: string | undefined): EventMediaType {
  const essence = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!(OPENMETER_MEDIA_TYPES as readonly string[]).includes(essence)) {
    throw new UnsupportedMediaTypeError(
      `content type ${JSON.stringify(header ?? '')} is not accepted; use one of ${OPENMETER_MEDIA_TYPES.join(', ')}`,
    );
  }
  return eventMediaType(header);
}

/** OpenMeter answers an empty CloudEvents batch (the SDK's `ingest([])`) with 204, so we do too. */
function isEmptyBatch(body: Buffer, mediaType: EventMediaType): boolean {
  return (
    mediaType === 'application/cloudevents-batch+json' &&
    body.length <= EMPTY_ARRAY_MAX_BYTES &&
    EMPTY_ARRAY.test(body.toString('utf8'))
  );
}

function describeError({ path, message }: FieldError): string {
  return path === '' ? message : `${path} ${message}`;
}

/** One problem for the whole request: the SDK shows `detail`; `errors` lists every event's errors by index. */
function invalidEvents(rejected: readonly Rejection[]): ValidationError {
  const errors = rejected.flatMap(({ index, errors: fieldErrors }) =>
    fieldErrors.map(({ path, message }) => ({ path: `/${index}${path}`, message })),
  );
  const first = rejected[0] as Rejection;
  const more = errors.length - 1;
  const detail = `invalid event at index ${first.index}: ${describeError(first.errors[0] ?? { path: '', message: 'is invalid' })}`;
  return new ValidationError(
    more > 0 ? `${detail} (and ${more} more problem${more > 1 ? 's' : ''}; see errors)` : detail,
    errors,
  );
}

export function registerOpenMeterCompatRoutes(scope: FastifyInstance, deps: HttpDependencies): void {
  const { maxBatchEvents } = deps.config.ingestion;
  scope.post('/compat/openmeter/api/v1/events', {
    onRequest: requirePermission(deps.access, 'ingest'),
    // The body is parsed by the ingestion module; this schema only documents it.
    validatorCompiler: () => () => true,
    schema: {
      summary: 'Ingest usage events (OpenMeter-compatible)',
      description:
        "Drop-in for OpenMeter's POST /api/v1/events: point the OpenMeter SDK's baseUrl at /compat/openmeter. Accepts application/cloudevents+json (one event), application/cloudevents-batch+json (array) and application/json (object or array), with the same validation and (source, id) deduplication as /v1/events. All-or-nothing: one invalid event and nothing from the request is stored. Duplicates are dropped silently, as OpenMeter does.",
      tags: ['compat'],
      security: [{ bearer: [] }],
      body: { oneOf: [cloudEventSchema, { type: 'array', items: cloudEventSchema }] },
      response: {
        204: { type: 'null', description: 'Every event stored or already known.' },
        400: problemResponse(
          'An invalid event (detail names the first; errors list all, paths prefixed by the event index) or an unusable body.',
        ),
        413: problemResponse('Body or batch over the limit.'),
        415: problemResponse('Unsupported content type.'),
        ...authProblemResponses,
      },
    },
    handler: async (request, reply) => {
      const body = bodyBuffer(request.body);
      const mediaType = openMeterMediaType(request.headers['content-type']);
      if (isEmptyBatch(body, mediaType)) return reply.status(204).send();
      const items = parseEventsBody(body, mediaType, maxBatchEvents);
      const result = await deps.ingestion.ingest(items, { atomic: true });
      if (result.rejected.length > 0) throw invalidEvents(result.rejected);
      return reply.status(204).send();
    },
  });
}
