import { eventProblem, heldIdentifier } from './meter-event-routes.js';
import { seconds, type ApiCall, type Reply, type RouteContext } from './route-context.js';
import { StripeApiError, invalidRequest } from './stripe-error.js';
import type { MeterEventRecord, SessionRecord } from './stripe-store.js';

// The v2 high-throughput meter events. `POST /v2/billing/meter_event_session` (secret key) answers a
// session whose `authentication_token` is valid 15 minutes; `POST /v2/billing/meter_event_stream`
// (that token as the bearer) takes 1 to 100 events as JSON and answers `{}` at once. Events are checked
// afterwards, as Stripe does: one that cannot be counted is kept with its error (the admin endpoint
// shows it) instead of refusing the request; an identifier seen within 24 hours is dropped as a
// duplicate. An expired token answers 401 `billing_meter_event_session_expired`.

export const MAX_STREAM_EVENTS = 100;

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000Z');

export function createSession(call: ApiCall, context: RouteContext): Reply {
  if (call.json !== undefined && (!isObject(call.json) || Object.keys(call.json).length > 0))
    throw invalidRequest('A meter event session takes no parameters.', { code: 'invalid_fields' });
  const nowMs = context.now();
  const session: SessionRecord = {
    id: context.store.newId('mes'),
    token: context.store.newId('mets', 40),
    created: nowMs,
    expiresAtMs: nowMs + context.meterEventSessionMs,
  };
  context.store.sessions.set(session.token, session);
  return {
    status: 200,
    committed: true,
    body: {
      id: session.id,
      object: 'v2.billing.meter_event_session',
      authentication_token: session.token,
      created: iso(session.created),
      expires_at: iso(session.expiresAtMs),
      livemode: false,
    },
  };
}

/** The session a stream request's bearer names: a 401 when unknown or expired. */
export function checkSession(token: string, nowMs: number, sessions: Map<string, SessionRecord>): void {
  const session = sessions.get(token);
  if (session === undefined)
    throw new StripeApiError(401, 'invalid_request_error', 'The meter event session token is not valid.', {
      code: 'billing_meter_event_session_invalid',
    });
  if (session.expiresAtMs <= nowMs)
    throw new StripeApiError(
      401,
      'temporary_session_expired',
      'The meter event session has expired: create a new session and send the events again with its token.',
      { code: 'billing_meter_event_session_expired' },
    );
}

function readEvent(value: unknown, index: number, nowMs: number): Omit<MeterEventRecord, 'error'> {
  const where = `events[${index}]`;
  if (!isObject(value)) throw invalidRequest(`${where} must be an object.`, { code: 'invalid_fields', param: where });
  for (const key of Object.keys(value))
    if (!['event_name', 'identifier', 'payload', 'timestamp'].includes(key))
      throw invalidRequest(`${where}.${key} is not a field of a meter event.`, {
        code: 'invalid_fields',
        param: `${where}.${key}`,
      });
  const { event_name: name, identifier, payload, timestamp } = value;
  if (typeof name !== 'string' || name === '' || name.length > 100)
    throw invalidRequest(`${where}.event_name must be text of 1 to 100 characters.`, {
      code: 'invalid_fields',
      param: `${where}.event_name`,
    });
  if (!isObject(payload) || !Object.values(payload).every((entry) => typeof entry === 'string'))
    throw invalidRequest(`${where}.payload must be an object of strings.`, {
      code: 'invalid_fields',
      param: `${where}.payload`,
    });
  if (identifier !== undefined && (typeof identifier !== 'string' || identifier === '' || identifier.length > 100))
    throw invalidRequest(`${where}.identifier must be text of 1 to 100 characters.`, {
      code: 'invalid_fields',
      param: `${where}.identifier`,
    });
  const at = timestamp === undefined ? nowMs : typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
  if (!Number.isFinite(at))
    throw invalidRequest(`${where}.timestamp must be an ISO 8601 time.`, {
      code: 'invalid_fields',
      param: `${where}.timestamp`,
    });
  return {
    event_name: name,
    identifier: (identifier as string | undefined) ?? `mevt_${nowMs}_${index}`,
    payload: payload as Record<string, string>,
    timestamp: seconds(at),
    created: seconds(nowMs),
    receivedMs: nowMs,
    via: 'v2',
  };
}

export function streamEvents(call: ApiCall, context: RouteContext): Reply {
  const body = call.json;
  if (!isObject(body) || !Array.isArray(body.events))
    throw invalidRequest('The body must be {"events": [...]}.', { code: 'invalid_fields', param: 'events' });
  for (const key of Object.keys(body))
    if (key !== 'events')
      throw invalidRequest(`${key} is not a field of this request.`, { code: 'invalid_fields', param: key });
  if (body.events.length === 0 || body.events.length > MAX_STREAM_EVENTS)
    throw invalidRequest(`events must hold 1 to ${MAX_STREAM_EVENTS} events.`, {
      code: 'invalid_fields',
      param: 'events',
    });
  const nowMs = context.now();
  const events = body.events.map((value, index) => readEvent(value, index, nowMs));
  const { store } = context;
  for (const event of events) {
    if (heldIdentifier(store, event.identifier, nowMs) !== undefined) continue;
    const problem = eventProblem(event, store, seconds(nowMs));
    store.meterEvents.push(
      problem === undefined ? event : { ...event, error: { code: problem.code, message: problem.message } },
    );
  }
  return { status: 200, body: {}, committed: true };
}
