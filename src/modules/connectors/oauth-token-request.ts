import { DeliveryFailure } from './connector.js';
import { transportFailure } from './http-failure.js';
import type { CachedToken } from './oauth-token-cache.js';

// One OAuth 2.0 client-credentials token request, sent with Node's fetch: a form POST to the token
// endpoint (which a test points at an emulator) and its answer read as a bearer token with a lifetime.
// What the form holds (a client secret, a signed JWT assertion) and how a refusal reads are the
// vendor's; the rest is the same for every vendor.

/** A token is renewed this long before the endpoint says it expires (half its life, if that is shorter). */
const REFRESH_MARGIN_MS = 60_000;

/** Reads the token endpoint's non-200 answer as a failure, in the vendor's words. */
export type TokenRefusal = (status: number, text: string, headers: Headers, now: Date, what: string) => DeliveryFailure;

/** A token request with no answer: it posted nothing, so it is never an unknown outcome. */
export function tokenTransportFailure(error: unknown, what: string): DeliveryFailure {
  const failure = transportFailure(error, what);
  return failure.failureClass === 'unknown_outcome'
    ? new DeliveryFailure('unavailable', failure.message, failure.detail)
    : failure;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export async function requestClientCredentialsToken(
  tokenUrl: string,
  form: Record<string, string>,
  deps: { now: () => Date; signal: AbortSignal; refused: TokenRefusal },
): Promise<CachedToken> {
  const what = `POST ${tokenUrl}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...form }),
      signal: deps.signal,
      redirect: 'manual',
    });
    text = await response.text();
  } catch (error) {
    throw tokenTransportFailure(error, what);
  }
  if (response.status !== 200) throw deps.refused(response.status, text, response.headers, deps.now(), what);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const accessToken = isObject(parsed) && typeof parsed.access_token === 'string' ? parsed.access_token : '';
  // NetSuite sends the lifetime as text ("3600"), Entra as a number: both are taken.
  const seconds = isObject(parsed) ? Number(parsed.expires_in) : NaN;
  // The answer is kept without its tokens: a failure's text is stored on the attempt and shown by the API.
  if (accessToken === '' || !Number.isFinite(seconds) || seconds <= 0)
    throw new DeliveryFailure('unavailable', `${what}: the token endpoint answered 200 without a usable token`, {
      targetText: withoutTokens(parsed, text),
      status: 200,
    });
  const lifetimeMs = seconds * 1000;
  return {
    accessToken,
    refreshAtMs: deps.now().getTime() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2),
  };
}

const TOKEN_FIELDS = new Set(['access_token', 'refresh_token', 'id_token']);

/** The answer with every token's value replaced: what may be kept of a token endpoint's 200. */
function withoutTokens(parsed: unknown, text: string): string {
  // Not JSON: it may still hold a token (form-encoded), so only its size is kept.
  if (!isObject(parsed)) return `(an answer of ${text.length} characters that is not a JSON object)`;
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(parsed).map(([key, value]) => [key, TOKEN_FIELDS.has(key) ? '[redacted]' : value]),
    ),
  );
}
