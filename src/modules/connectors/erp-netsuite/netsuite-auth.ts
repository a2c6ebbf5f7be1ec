import { createHash, createHmac, createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import OAuth from 'oauth-1.0a';
import { DeliveryFailure } from '../connector.js';
import { tokenFailure, tokenTransportFailure } from './netsuite-errors.js';
import type { NetSuiteSecret, NetSuiteSettings } from './netsuite-settings.js';

// The two ways into NetSuite's REST web services. OAuth 2.0 machine to machine: a JWT client assertion
// signed with the private key of the certificate mapped to the integration buys a bearer token, which
// is cached per target and key until shortly before it expires (one token request for many deliveries,
// and every connector of the kind shares the cache, since connectors are rebuilt from the catalog).
// Token-based authentication: each request signed with OAuth 1.0a HMAC-SHA256, no token to cache.

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** NetSuite accepts assertions living up to 60 minutes; a short one limits what a leaked one is worth. */
const ASSERTION_SECONDS = 300;
/** A token is renewed this long before NetSuite says it expires (half its life, if that is shorter). */
const REFRESH_MARGIN_MS = 60_000;

interface CachedToken {
  accessToken: string;
  /** When to stop using it and ask for a new one, ms since the epoch on the connector's clock. */
  refreshAtMs: number;
}

/** Bearer tokens by target and credentials; one pending request per key, so a burst asks once. */
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

  /** Forgets a token NetSuite refused, unless a newer one has replaced it meanwhile. */
  async forget(key: string, accessToken: string): Promise<void> {
    const cached = this.entries.get(key);
    const token = await cached?.catch(() => undefined);
    if (cached && token?.accessToken === accessToken && this.entries.get(key) === cached) this.entries.delete(key);
  }
}

export interface Authorization {
  header: string;
  /** After a 401: forgets the bearer token this header carried; false when there was none (TBA). */
  forget(): Promise<boolean>;
}

export interface Authorizer {
  authorize(method: string, url: string, signal: AbortSignal): Promise<Authorization>;
}

/** The JWS algorithm NetSuite takes for the key: PS256 for RSA, ES256/384/512 by the EC curve. */
function signingKey(pem: string): { key: KeyObject; alg: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new DeliveryFailure('auth', 'the privateKey in the secret is not a PEM private key');
  }
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return { key, alg: 'PS256' };
  const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const alg = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }[curve ?? ''];
  if (alg) return { key, alg };
  throw new DeliveryFailure('auth', 'NetSuite takes an RSA key or an EC key on P-256, P-384 or P-521');
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

async function requestToken(
  auth: Extract<NetSuiteSettings['auth'], { method: 'oauth2-m2m' }>,
  privateKey: string,
  now: () => Date,
  signal: AbortSignal,
): Promise<CachedToken> {
  const { key, alg } = signingKey(privateKey);
  const iat = Math.floor(now().getTime() / 1000);
  const assertion = await new SignJWT({ scope: ['rest_webservices'] })
    .setProtectedHeader({ alg, kid: auth.certificateId, typ: 'JWT' })
    .setIssuer(auth.clientId)
    .setAudience(auth.tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_SECONDS)
    .sign(key);
  const what = `POST ${auth.tokenUrl}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
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
  // NetSuite sends the lifetime as text ("3600"); a number is taken too.
  const seconds = isObject(parsed) ? Number(parsed.expires_in) : NaN;
  if (accessToken === '' || !Number.isFinite(seconds) || seconds <= 0)
    throw new DeliveryFailure('unavailable', `${what}: the token endpoint answered 200 without a usable token`, {
      targetText: text,
      status: 200,
    });
  const lifetimeMs = seconds * 1000;
  return { accessToken, refreshAtMs: now().getTime() + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2) };
}

export interface AuthDependencies {
  tokens: TokenCache;
  /** Which target the token belongs to; the key's fingerprint is added, so a rotated key gets a new token. */
  targetKey: string;
  now: () => Date;
}

export function createAuthorizer(
  settings: NetSuiteSettings,
  secret: NetSuiteSecret,
  deps: AuthDependencies,
): Authorizer {
  const { auth } = settings;
  if (auth.method === 'oauth2-m2m' && secret.method === 'oauth2-m2m') {
    const fingerprint = createHash('sha256').update(secret.privateKey).digest('base64url').slice(0, 16);
    const cacheKey = [deps.targetKey, auth.tokenUrl, auth.clientId, auth.certificateId, fingerprint].join('\u0000');
    return {
      async authorize(_method, _url, signal) {
        const token = await deps.tokens.get(cacheKey, deps.now().getTime(), () =>
          requestToken(auth, secret.privateKey, deps.now, signal),
        );
        return {
          header: `Bearer ${token.accessToken}`,
          async forget() {
            await deps.tokens.forget(cacheKey, token.accessToken);
            return true;
          },
        };
      },
    };
  }
  if (auth.method === 'tba' && secret.method === 'tba') {
    const oauth = new OAuth({
      consumer: { key: secret.consumerKey, secret: secret.consumerSecret },
      realm: auth.realm,
      signature_method: 'HMAC-SHA256',
      hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
    });
    const token = { key: secret.tokenId, secret: secret.tokenSecret };
    return {
      // The signature covers the method and the URL with its query, so it is made per request.
      async authorize(method, url) {
        return {
          header: oauth.toHeader(oauth.authorize({ url, method }, token)).Authorization,
          forget: async () => false,
        };
      },
    };
  }
  throw new DeliveryFailure('auth', `the secret does not hold credentials for ${auth.method}`);
}
