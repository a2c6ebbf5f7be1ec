import { createHash } from 'node:crypto';
import { DeliveryFailure } from '../connector.js';
import { tokenFailure, tokenTransportFailure } from './business-central-errors.js';
import type { BusinessCentralSecret, BusinessCentralSettings } from './business-central-settings.js';

// Microsoft Entra ID's client credentials grant, sent with Node's fetch rather than @azure/msal-node
// (Microsoft's client): one form POST to the target's token endpoint, which a test points at the
// emulator, with no authority discovery to fake and no second retry or cache policy beside the outbox's.
// The bearer token is cached per target, endpoint, client, scope and secret until a minute before it
// expires, shared by every connector of the kind (connectors are rebuilt from each catalog version).

/** A token is renewed this long before Entra says it expires (half its life, if that is shorter). */
const REFRESH_MARGIN_MS = 60_000;

interface CachedToken {
  accessToken: string;
  /** When to stop using it and ask for a new one, ms since the epoch on the connector's clock. */
  refreshAtMs: number;
}

/** Bearer tokens by key; one pending request per key, so a burst of deliveries asks once. */
export class TokenCache {
  private readonly entries = new Map<string, Promise<CachedToken>>();
  /** Token requests sent: what a test counts. */
  requests = 0;

  async get(key: string, nowMs: number, request: () => Promise<CachedToken>): Promise<CachedToken> {
    const cached = this.entries.get(key);
    if (cached) {
      const token = await cached.catch(() => undefined);
      if (token && token.refreshAtMs > nowMs) return token;
      if (this.entries.get(key) === cached) this.entries.delete(key);
      const renewed = this.entries.get(key);
      if (renewed) return renewed;
    }
    this.requests += 1;
    const pending = request();
    this.entries.set(key, pending);
    // A failed request is not cached: the next delivery asks again.
    pending.catch(() => (this.entries.get(key) === pending ? this.entries.delete(key) : undefined));
    return pending;
  }

  /** Forgets a token BC refused, unless a newer one has replaced it meanwhile. */
  async forget(key: string, accessToken: string): Promise<void> {
    const cached = this.entries.get(key);
    const token = await cached?.catch(() => undefined);
    if (cached && token?.accessToken === accessToken && this.entries.get(key) === cached) this.entries.delete(key);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

async function requestToken(
  settings: BusinessCentralSettings,
  secret: BusinessCentralSecret,
  now: () => Date,
  signal: AbortSignal,
): Promise<CachedToken> {
  const what = `POST ${settings.tokenEndpoint}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(settings.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: settings.clientId,
        client_secret: secret.clientSecret,
        scope: settings.scope,
      }),
      signal,
      redirect: 'manual',
    });
    text = await response.text();
  } catch (error) {
    throw tokenTransportFailure(error, what);
  }
  if (response.status !== 200) throw tokenFailure(response.status, text, response.headers, now(), what);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const accessToken = isObject(parsed) && typeof parsed.access_token === 'string' ? parsed.access_token : '';
  // Entra sends the lifetime as a number; text is taken too.
  const seconds = isObject(parsed) ? Number(parsed.expires_in) : NaN;
  if (accessToken === '' || !Number.isFinite(seconds) || seconds <= 0)
    throw new DeliveryFailure('unavailable', `${what}: the token endpoint answered 200 without a usable token`, {
      targetText: text,
      status: 200,
    });
  const lifetimeMs = seconds * 1000;
  return { accessToken, refreshAtMs: now().getTime() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2) };
}

export interface Authorization {
  header: string;
  /** After a 401: forgets the token this header carried, so the next request asks for a new one. */
  forget(): Promise<void>;
}

export interface Authorizer {
  authorize(signal: AbortSignal): Promise<Authorization>;
}

export function createAuthorizer(
  settings: BusinessCentralSettings,
  secret: BusinessCentralSecret,
  deps: { tokens: TokenCache; targetKey: string; now: () => Date },
): Authorizer {
  // The secret's fingerprint is in the key, so a rotated secret gets a new token at once.
  const fingerprint = createHash('sha256').update(secret.clientSecret).digest('base64url').slice(0, 16);
  const cacheKey = [deps.targetKey, settings.tokenEndpoint, settings.clientId, settings.scope, fingerprint].join(
    '\u0000',
  );
  return {
    async authorize(signal) {
      const token = await deps.tokens.get(cacheKey, deps.now().getTime(), () =>
        requestToken(settings, secret, deps.now, signal),
      );
      return {
        header: `Bearer ${token.accessToken}`,
        forget: () => deps.tokens.forget(cacheKey, token.accessToken),
      };
    },
  };
}
