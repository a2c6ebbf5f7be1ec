import { createHmac, createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import OAuth from 'oauth-1.0a';
import { DeliveryFailure } from '../connector.js';
import { tokenCacheKey, type CachedToken, type TokenCache } from '../oauth-token-cache.js';
import { requestClientCredentialsToken } from '../oauth-token-request.js';
import { tokenFailure } from './netsuite-errors.js';
import type { NetSuiteSecret, NetSuiteSettings } from './netsuite-settings.js';

// The two ways into NetSuite's REST web services. OAuth 2.0 machine to machine: a JWT client assertion
// signed with the private key of the certificate mapped to the integration buys a bearer token, which
// is cached per target and key until shortly before it expires (one token request for many deliveries,
// and every connector of the kind shares the cache, since connectors are rebuilt from the catalog).
// Token-based authentication: each request signed with OAuth 1.0a HMAC-SHA256, no token to cache.

/** The kind's connectors share one cache (see oauth-token-cache.ts). */
export { TokenCache } from '../oauth-token-cache.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** NetSuite accepts assertions living up to 60 minutes; a short one limits what a leaked one is worth. */
const ASSERTION_SECONDS = 300;

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
  return requestClientCredentialsToken(
    auth.tokenUrl,
    { client_assertion_type: ASSERTION_TYPE, client_assertion: assertion },
    { now, signal, refused: tokenFailure },
  );
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
    const cacheKey = tokenCacheKey(
      [deps.targetKey, auth.tokenUrl, auth.clientId, auth.certificateId],
      secret.privateKey,
    );
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
