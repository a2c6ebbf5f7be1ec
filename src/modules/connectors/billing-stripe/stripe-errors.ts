import Stripe from 'stripe';
import { DeliveryFailure, type FailureClass, type FailureDetail } from '../connector.js';
import { responseFailure, transportFailure } from '../http-failure.js';

// Every way a Stripe request fails, as one of Meterbridge's failure classes, with Stripe's own text,
// status, code, `param` (as the path) and `Retry-After` kept on the failure:
// - 429 `rate_limit` (and any other 429): throttled, on the limiter `Stripe-Rate-Limited-Reason` names;
// - 429 `lock_timeout` and 409 `idempotency_key_in_use`: unavailable (the object or our key is busy;
//   nothing was done, and the retry with the same key replays whatever the other request did);
// - `idempotency_error`: invalid, a bug (the same key was sent with other parameters);
// - 401 and 403: auth (a wrong, rolled or restricted key), except an expired meter event session:
//   unavailable (a new session is all it needs);
// - `api_error`, any 5xx, a lost connection or a timeout: unknown outcome (read back before any retry);
// - a refused connection: unavailable (nothing was sent);
// - any other 4xx (`invalid_request_error`, a 402): invalid.
// The official client turns an answer that is not JSON (a proxy's 502 page) into an error without its
// status; the transport records such answers (NonJsonAnswer) so they are classified by their status.

/** An answer whose body is not JSON, recorded by the transport before the client loses its status. */
export class NonJsonAnswer extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    readonly headers: Headers,
  ) {
    super(`Stripe answered ${status} with a body that is not JSON`);
    this.name = 'NonJsonAnswer';
  }
}

export interface FailureContext {
  /** `POST /v1/invoiceitems (mb1:invoice_item:INV-1:2)`: what was asked, for the message. */
  what: string;
  now: Date;
  /** The body text of the error answer, as the transport recorded it. */
  answerText?: string;
  /** The secret key, scrubbed from every text kept. */
  secret?: string;
}

function toHeaders(raw: unknown): Headers {
  const headers = new Headers();
  if (raw !== null && typeof raw === 'object')
    for (const [name, value] of Object.entries(raw as Record<string, unknown>))
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) headers.set(name, value.join(', '));
  return headers;
}

/** The limiter a 429 names: `global-concurrency`, `endpoint-rate`, ... */
function throttledOn(headers: Headers): FailureDetail['throttledOn'] {
  const reason = headers.get('stripe-rate-limited-reason') ?? '';
  if (reason.endsWith('-concurrency')) return 'concurrency';
  if (reason.endsWith('-rate')) return 'rate';
  return undefined;
}

function classOf(status: number, type: string | undefined, code: string | undefined): FailureClass {
  if (status === 429) return code === 'lock_timeout' ? 'unavailable' : 'throttled';
  if (status === 409 || code === 'idempotency_key_in_use') return 'unavailable';
  if (type === 'idempotency_error') return 'invalid';
  if (type === 'temporary_session_expired' || code === 'billing_meter_event_session_expired') return 'unavailable';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500 || type === 'api_error') return 'unknown_outcome';
  return 'invalid';
}

function scrub(text: string, secret: string | undefined): string {
  return secret && secret.length >= 8 ? text.split(secret).join('[secret]') : text;
}

/** The raw error object, as Stripe sent it, without what the client added to it. */
function errorDocument(error: Stripe.errors.StripeError): string {
  const raw = { ...(error.raw as Record<string, unknown>) };
  for (const added of ['headers', 'statusCode', 'requestId']) delete raw[added];
  return JSON.stringify({ error: raw });
}

function apiFailure(error: Stripe.errors.StripeError, context: FailureContext): DeliveryFailure {
  const status = error.statusCode ?? 500;
  const headers = toHeaders(error.headers);
  const type = error.rawType;
  const code = error.code;
  const param = error.param;
  const failureClass = classOf(status, type, code);
  const said = `${type ?? 'an error'}${code ? ` ${code}` : ''}${param ? ` at ${param}` : ''}: ${error.message}`;
  const note =
    type === 'idempotency_error'
      ? ' (a bug: the same idempotency key was sent with other parameters; Meterbridge derives keys from the posting, so its lines changed)'
      : '';
  const text = scrub(context.answerText ?? errorDocument(error), context.secret);
  return responseFailure(status, text, headers, context.now, {
    failureClass,
    code,
    path: param,
    throttledOn: failureClass === 'throttled' ? throttledOn(headers) : undefined,
    message: scrub(`${context.what}: Stripe answered ${status} ${said}${note}`, context.secret),
  });
}

/** Any error of a Stripe request (the official client's, the transport's or our own) as a DeliveryFailure. */
export function stripeFailure(error: unknown, context: FailureContext): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  if (error instanceof NonJsonAnswer)
    return responseFailure(error.status, error.text, error.headers, context.now, {
      message: `${context.what}: Stripe answered ${error.status} with a body that is not Stripe's error document`,
    });
  if (error instanceof Stripe.errors.StripeConnectionError) {
    const cause: unknown = (error as { detail?: unknown }).detail;
    if (cause instanceof NonJsonAnswer) return stripeFailure(cause, context);
    const failure = transportFailure(cause ?? error, context.what);
    const timedOut = /timeout/i.test(error.message);
    return timedOut
      ? new DeliveryFailure('unknown_outcome', `${context.what}: no answer in time`, failure.detail)
      : failure;
  }
  if (error instanceof Stripe.errors.StripeError) return apiFailure(error, context);
  // Not Stripe's: an abort, or a fault of ours after the request may have reached Stripe.
  return transportFailure(error, context.what);
}
