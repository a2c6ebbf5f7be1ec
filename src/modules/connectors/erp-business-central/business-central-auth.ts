import { tokenCacheKey, type TokenCache } from '../oauth-token-cache.js';
import { requestClientCredentialsToken } from '../oauth-token-request.js';
import { tokenFailure } from './business-central-errors.js';
import type { BusinessCentralSecret, BusinessCentralSettings } from './business-central-settings.js';

// Microsoft Entra ID's client credentials grant, sent with Node's fetch rather than @azure/msal-node
// (Microsoft's client): one form POST to the target's token endpoint, which a test points at the
// emulator, with no authority discovery to fake and no second retry or cache policy beside the outbox's.
// The bearer token is cached per target, endpoint, client, scope and secret until a minute before it
// expires, shared by every connector of the kind (connectors are rebuilt from each catalog version).

/** The kind's connectors share one cache (see oauth-token-cache.ts). */
export { TokenCache } from '../oauth-token-cache.js';

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
  const cacheKey = tokenCacheKey(
    [deps.targetKey, settings.tokenEndpoint, settings.clientId, settings.scope],
    secret.clientSecret,
  );
  const form = { client_id: settings.clientId, client_secret: secret.clientSecret, scope: settings.scope };
  return {
    async authorize(signal) {
      const token = await deps.tokens.get(cacheKey, deps.now().getTime(), () =>
        requestClientCredentialsToken(settings.tokenEndpoint, form, { now: deps.now, signal, refused: tokenFailure }),
      );
      return {
        header: `Bearer ${token.accessToken}`,
        forget: () => deps.tokens.forget(cacheKey, token.accessToken),
      };
    },
  };
}
