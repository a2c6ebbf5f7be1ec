import { createHash } from 'node:crypto';
import type { BodyItem, Ingestion } from '../../../modules/ingestion/index.js';
import {
  findConflictsInBatch,
  fromLagoEvent,
  toLagoFieldErrors,
  type LagoEvent,
  type LagoFieldErrors,
} from '../../../modules/ingestion/index.js';
import type { HttpDependencies } from '../../http-dependencies.js';
import type { Problem } from '../../problem.js';

export type LagoCompatDependencies = Pick<HttpDependencies, 'access' | 'ingestion' | 'config' | 'logger' | 'clock'>;

/** Lago's default LAGO_EVENTS_BATCH_MAX_LENGTH. */
export const LAGO_MAX_BATCH_EVENTS = 100;

/** Lago's EventObject, as its create endpoints answer. */
export interface LagoEventObject {
  lago_id: string;
  transaction_id: string;
  lago_customer_id: null;
  code: string;
  timestamp: string;
  precise_total_amount_cents: string | null;
  properties: Record<string, unknown>;
  lago_subscription_id: null;
  external_subscription_id: string | null;
  external_customer_id?: string;
  created_at: string;
}

export interface LagoErrorBody {
  status: number;
  error: string;
  code?: string;
}

export interface LagoValidationErrorBody {
  status: 422;
  error: 'Unprocessable Entity';
  code: 'validation_errors';
  error_details: Record<string, unknown>;
}

export type LagoIngestOutcome = { ok: true; events: LagoEvent[] } | { ok: false; errors: Map<number, LagoFieldErrors> };

const alreadyExists = (): LagoFieldErrors => ({ transaction_id: ['value_already_exist'] });

/**
 * Maps, validates and stores Lago events all-or-nothing. Events that fail the mapping still go to
 * ingestion (as unparseable items) so that one answer reports every event's problems.
 */
export async function ingestLagoEvents(ingestion: Ingestion, raws: readonly unknown[]): Promise<LagoIngestOutcome> {
  const mappings = raws.map((raw) => fromLagoEvent(raw));
  const errors = new Map<number, LagoFieldErrors>();
  mappings.forEach((mapping, index) => {
    if (!mapping.ok) errors.set(index, mapping.errors);
  });
  for (const index of findConflictsInBatch(mappings)) errors.set(index, alreadyExists());

  const items: BodyItem[] = mappings.map((mapping, index) =>
    mapping.ok && !errors.has(index)
      ? { value: mapping.event.cloudEvent }
      : { parseErrors: [{ path: '', message: 'not a valid Lago event' }] },
  );
  const result = await ingestion.ingest(items, { atomic: true, conflictsAbort: true });
  for (const rejection of result.rejected) {
    const mapping = mappings[rejection.index];
    if (mapping?.ok && !errors.has(rejection.index))
      errors.set(rejection.index, toLagoFieldErrors(rejection.errors, mapping.event.subjectField));
  }
  // A reused id with other content keeps the stored original (a retry with the same content is a duplicate, not a conflict).
  for (const conflict of result.conflicts) errors.set(conflict.index, alreadyExists());
  if (errors.size > 0) return { ok: false, errors };
  return { ok: true, events: mappings.flatMap((mapping) => (mapping.ok ? [mapping.event] : [])) };
}

/** Batch error_details are keyed by the event's index, as Lago keys them. */
export function byIndex(errors: Map<number, LagoFieldErrors>): Record<string, LagoFieldErrors> {
  return Object.fromEntries([...errors].sort(([a], [b]) => a - b).map(([index, details]) => [String(index), details]));
}

/** A name-based UUID (RFC 9562 version 8) of the dedup key, so that a retry answers with the same lago_id. */
function lagoIdOf(event: LagoEvent): string {
  const hex = createHash('sha256').update(`${event.source}\u0000${event.transactionId}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function toApiLagoEvent(event: LagoEvent, receivedAt: Date): LagoEventObject {
  return {
    lago_id: lagoIdOf(event),
    transaction_id: event.transactionId,
    lago_customer_id: null,
    code: event.code,
    // Lago writes milliseconds in `timestamp` and whole seconds in `created_at`.
    timestamp: (event.time === null ? receivedAt : new Date(event.time)).toISOString(),
    precise_total_amount_cents: event.preciseTotalAmountCents,
    properties: event.properties,
    lago_subscription_id: null,
    external_subscription_id: event.externalSubscriptionId,
    ...(event.externalCustomerId === null ? {} : { external_customer_id: event.externalCustomerId }),
    created_at: `${receivedAt.toISOString().slice(0, 19)}Z`,
  };
}

export function lagoValidationError(details: Record<string, unknown>): LagoValidationErrorBody {
  return { status: 422, error: 'Unprocessable Entity', code: 'validation_errors', error_details: details };
}

/** Rails' ParameterMissing answer, which Lago renders as it comes. */
export function lagoParameterMissing(name: string): LagoErrorBody {
  return { status: 400, error: `BadRequest: param is missing or the value is empty or invalid: ${name}` };
}

/** Any other error, in Lago's `{status, error}` shape; the status still comes from the one problem mapping. */
export function toLagoError(problem: Problem): LagoErrorBody {
  if (problem.status === 400) return { status: 400, error: `BadRequest: ${problem.detail}` };
  if (problem.status === 401) return { status: 401, error: 'Unauthorized' };
  if (problem.status === 403) return { status: 403, error: 'Forbidden', code: 'forbidden' };
  if (problem.status >= 500) return { status: problem.status, error: problem.title };
  return {
    status: problem.status,
    error: problem.detail === problem.title ? problem.title : `${problem.title}: ${problem.detail}`,
  };
}

export const lagoEventObjectSchema = {
  type: 'object',
  required: [
    'lago_id',
    'transaction_id',
    'lago_customer_id',
    'code',
    'timestamp',
    'properties',
    'lago_subscription_id',
    'external_subscription_id',
    'created_at',
  ],
  properties: {
    lago_id: {
      type: 'string',
      format: 'uuid',
      description: 'Derived from (external id, transaction_id): a retry answers with the same id.',
    },
    transaction_id: { type: 'string' },
    lago_customer_id: {
      type: ['string', 'null'],
      format: 'uuid',
      description: 'Always null: the customer is not resolved at ingestion.',
    },
    code: { type: 'string' },
    timestamp: { type: 'string', format: 'date-time' },
    precise_total_amount_cents: { type: ['string', 'null'] },
    properties: { type: 'object', additionalProperties: true },
    lago_subscription_id: {
      type: ['string', 'null'],
      format: 'uuid',
      description: 'Always null: the subscription is not resolved at ingestion.',
    },
    external_subscription_id: { type: ['string', 'null'] },
    external_customer_id: { type: 'string', description: 'Echoed when sent (older Lago clients).' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const lagoEventInputSchema = {
  type: 'object',
  required: ['transaction_id', 'code'],
  properties: {
    transaction_id: { type: 'string', description: 'Becomes the CloudEvent id; unique per external_subscription_id.' },
    external_subscription_id: {
      type: 'string',
      description: 'Becomes the subject, and the source lago/subscription/<id>.',
    },
    external_customer_id: {
      type: 'string',
      description: 'Used as the subject (source lago/customer/<id>) when there is no external_subscription_id.',
    },
    code: { type: 'string', description: 'Becomes the CloudEvent type.' },
    timestamp: {
      type: ['integer', 'number', 'string'],
      description: 'Unix seconds (integer, float or numeric string); the receipt time when absent.',
    },
    properties: {
      type: 'object',
      additionalProperties: true,
      description: 'Becomes the CloudEvent data, validated against the schema registered for code.',
    },
    precise_total_amount_cents: {
      type: ['string', 'null'],
      description: 'Kept as the CloudEvent extension totalamountcents.',
    },
  },
} as const;

const lagoErrorSchema = {
  type: 'object',
  description: "Lago's error shape.",
  required: ['status', 'error'],
  properties: { status: { type: 'integer' }, error: { type: 'string' }, code: { type: 'string' } },
} as const;

const lagoValidationErrorSchema = {
  type: 'object',
  description:
    "Lago's validation error: error_details maps each field to its error codes (keyed by event index in a batch).",
  required: ['status', 'error', 'code', 'error_details'],
  properties: {
    status: { type: 'integer', enum: [422] },
    error: { type: 'string' },
    code: { type: 'string' },
    error_details: { type: 'object', additionalProperties: true },
  },
} as const;

/** Error responses every Lago-compatible route can give, in Lago's shape. */
export const lagoErrorResponses = {
  400: { ...lagoErrorSchema, description: 'The body is not JSON, or the event key is missing.' },
  401: { ...lagoErrorSchema, description: 'No or unknown API key: {"status":401,"error":"Unauthorized"}.' },
  403: { ...lagoErrorSchema, description: 'The API key lacks the ingest permission.' },
  413: { ...lagoErrorSchema, description: 'The body is over the size limit.' },
  415: { ...lagoErrorSchema, description: 'The body is not application/json.' },
  422: { ...lagoValidationErrorSchema },
} as const;
