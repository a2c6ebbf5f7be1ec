import type { IncomingMessage } from 'node:http';
import { findHostileJson } from '../../platform/hostile-json.js';
import { decodeUtf8 } from '../../platform/utf8.js';
import { parseParams, type ParamObject } from './form-params.js';
import { StripeApiError, invalidRequest } from './stripe-error.js';

// What a request carries besides its path: the secret key (Bearer, or Basic with the key as user name,
// as `curl -u sk_test_...:` sends it), the parameters (a form body for a v1 POST, the query otherwise)
// or a v2 JSON body. Every problem is a refusal in Stripe's shape, never an exception of the server.

/** The key or token of `Authorization`, or undefined when there is none. */
export function readBearer(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization?.trim();
  if (!header) return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0] || undefined;
  return undefined;
}

/** `sk_test_****...0000`: how Stripe quotes a key it refuses. */
export function maskKey(key: string): string {
  const prefix = /^[a-z]+_(test|live)_/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  return rest.length <= 4
    ? `${prefix}${'*'.repeat(rest.length)}`
    : `${prefix}${'*'.repeat(rest.length - 4)}${rest.slice(-4)}`;
}

export function missingKey(): StripeApiError {
  return new StripeApiError(
    401,
    'invalid_request_error',
    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    { headers: { 'www-authenticate': 'Bearer realm="Stripe"' } },
  );
}

export function invalidKey(key: string): StripeApiError {
  return new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${maskKey(key)}`, {
    headers: { 'www-authenticate': 'Bearer realm="Stripe"' },
  });
}

async function readBytes(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size <= maxBytes) chunks.push(bytes);
    else if (size > maxBytes * 4) break;
  }
  if (size > maxBytes)
    throw new StripeApiError(413, 'invalid_request_error', `The request body is larger than ${maxBytes} bytes.`);
  return Buffer.concat(chunks);
}

function bodyText(bytes: Buffer): string {
  const text = decodeUtf8(bytes);
  if (text === undefined) throw invalidRequest('The request body is not valid UTF-8.');
  return text;
}

const mediaType = (request: IncomingMessage) =>
  (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

/** v1: a POST's form body, or the query of a GET or DELETE. */
export async function readV1Params(request: IncomingMessage, url: URL, maxBytes: number): Promise<ParamObject> {
  if (request.method !== 'POST') return parseParams(url.search.slice(1));
  const bytes = await readBytes(request, maxBytes);
  if (bytes.length > 0 && mediaType(request) !== 'application/x-www-form-urlencoded')
    throw invalidRequest(
      `Invalid request: the body must be form-encoded (Content-Type: application/x-www-form-urlencoded), not ${mediaType(request) || 'untyped'}.`,
    );
  if (url.search.length > 1 && bytes.length > 0)
    throw invalidRequest('Send the parameters of a POST in its body, not in both the body and the query.');
  return parseParams(bytes.length > 0 ? bodyText(bytes) : url.search.slice(1));
}

/** v2: a JSON body (an empty one is undefined). */
export async function readV2Json(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const bytes = await readBytes(request, maxBytes);
  if (bytes.length === 0) return undefined;
  if (mediaType(request) !== 'application/json')
    throw invalidRequest(`Invalid request: the body must be JSON (Content-Type: application/json).`);
  let value: unknown;
  try {
    value = JSON.parse(bodyText(bytes));
  } catch (error) {
    throw invalidRequest(`Invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [problem] = findHostileJson(value);
  if (problem !== undefined) throw invalidRequest(`The value at ${problem.path || '/'} ${problem.message}.`);
  return value;
}

/** The same text for the same JSON whatever the order of its keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
