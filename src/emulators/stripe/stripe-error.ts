import type { ServerResponse } from 'node:http';

// Stripe's error document, `{"error": {"type", "code", "message", "param", "doc_url"}}`, with the status
// Stripe gives it. `type` is one of the four the OpenAPI description allows (`api_error`, `card_error`,
// `idempotency_error`, `invalid_request_error`): Stripe's 401 and 429 are `invalid_request_error` too,
// told apart by status and `code` (the official clients name their classes after the status). Every
// refusal of the /v1 tree uses this one shape.

export type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error'
  /** v2 only (the meter event stream): a session token past its 15 minutes. */
  | 'temporary_session_expired';

export interface StripeErrorFields {
  code?: string;
  param?: string;
  /** Response headers that go with the refusal (Retry-After, Stripe-Should-Retry, ...). */
  headers?: Record<string, string>;
}

const DOCS = 'https://stripe.com/docs/error-codes';

export class StripeApiError extends Error {
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    message: string,
    fields: StripeErrorFields = {},
  ) {
    super(message);
    this.name = 'StripeApiError';
    this.code = fields.code;
    this.param = fields.param;
    this.headers = fields.headers ?? {};
  }

  body(requestId: string): Record<string, unknown> {
    const error: Record<string, unknown> = { type: this.type, message: this.message };
    if (this.code !== undefined) {
      error.code = this.code;
      error.doc_url = `${DOCS}/${this.code.replace(/_/g, '-')}`;
    }
    if (this.param !== undefined) error.param = this.param;
    error.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
    return { error };
  }
}

export const invalidRequest = (message: string, fields: StripeErrorFields = {}, status = 400) =>
  new StripeApiError(status, 'invalid_request_error', message, fields);

export const missingParam = (param: string) =>
  invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });

export const unknownParam = (param: string) =>
  invalidRequest(`Received unknown parameter: ${param}`, { code: 'parameter_unknown', param });

/** A parameter Stripe takes but the emulator does not emulate: refused rather than silently ignored. */
export const notEmulated = (param: string) =>
  invalidRequest(`The parameter ${param} is not supported by the Stripe emulator.`, {
    code: 'parameter_unknown',
    param,
  });

export const invalidParam = (param: string, message: string, code = 'parameter_invalid_string') =>
  invalidRequest(message, { code, param });

/** `No such customer: 'cus_x'`: 404 for the object of the path, 400 for an object a parameter names. */
export const noSuch = (kind: string, id: string, param: string, status: 400 | 404) =>
  invalidRequest(`No such ${kind}: '${id}'`, { code: 'resource_missing', param }, status);

export const apiError = (message = 'An unknown error occurred') => new StripeApiError(500, 'api_error', message);

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body, null, 2);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendHtml(response: ServerResponse, status: number, title: string): void {
  const html = `<html><head><title>${status} ${title}</title></head><body><center><h1>${status} ${title}</h1></center></body></html>\n`;
  response.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
  response.end(html);
}
