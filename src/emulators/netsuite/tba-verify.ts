import { createHmac, timingSafeEqual } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { NetSuiteCredentials } from './emulator-options.js';

// NetSuite token-based authentication: an OAuth 1.0a `Authorization: OAuth realm="<account>", ...`
// header signed with HMAC-SHA256 by the consumer secret and token secret. The signature is recomputed
// with the same library clients sign with, over the URL the client called; the timestamp must be
// within five minutes of the emulator's clock and a nonce is accepted once within that window.

const WINDOW_SECONDS = 300;
const REQUIRED = [
  'oauth_consumer_key',
  'oauth_token',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_nonce',
  'oauth_version',
  'oauth_signature',
];

/** The header's parameters, percent-decoded; undefined when it is no OAuth header. */
export function parseOAuthHeader(header: string): Map<string, string> | undefined {
  if (!/^OAuth\s/i.test(header)) return undefined;
  const parameters = new Map<string, string>();
  for (const part of header.replace(/^OAuth\s+/i, '').split(',')) {
    const match = /^\s*([A-Za-z_]+)="([^"]*)"\s*$/.exec(part);
    if (match === null) return undefined;
    try {
      parameters.set(match[1]!, decodeURIComponent(match[2]!));
    } catch {
      return undefined;
    }
  }
  return parameters;
}

const equalText = (a: string, b: string): boolean => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
};

export class TbaVerifier {
  /** Nonces seen, with the second after which they may be forgotten. */
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly credentials: NetSuiteCredentials,
    private readonly now: () => number,
  ) {}

  /** Why the request is refused, or undefined when its signature is right. */
  verify(header: string, method: string, url: string): string | undefined {
    const parameters = parseOAuthHeader(header);
    if (parameters === undefined) return 'malformed OAuth header';
    const missing = REQUIRED.find((name) => !parameters.get(name));
    if (missing !== undefined) return `missing ${missing}`;
    const { accountId, consumerKey, consumerSecret, tokenId, tokenSecret } = this.credentials;
    if (parameters.get('realm')?.toUpperCase() !== accountId.toUpperCase()) return 'wrong realm';
    if (parameters.get('oauth_signature_method') !== 'HMAC-SHA256') return 'signature method must be HMAC-SHA256';
    if (!equalText(parameters.get('oauth_consumer_key')!, consumerKey)) return 'unknown consumer key';
    if (!equalText(parameters.get('oauth_token')!, tokenId)) return 'unknown token';
    const timestamp = Number(parameters.get('oauth_timestamp'));
    const nowSeconds = Math.floor(this.now() / 1000);
    if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > WINDOW_SECONDS)
      return 'timestamp outside the window';
    const oauth = new OAuth({
      consumer: { key: consumerKey, secret: consumerSecret },
      signature_method: 'HMAC-SHA256',
      hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
    });
    const data: OAuth.Data = {
      oauth_consumer_key: consumerKey,
      oauth_nonce: parameters.get('oauth_nonce')!,
      oauth_signature_method: 'HMAC-SHA256',
      oauth_timestamp: timestamp,
      oauth_version: parameters.get('oauth_version')!,
      oauth_token: tokenId,
    };
    const expected = oauth.getSignature({ url, method }, tokenSecret, data);
    if (!equalText(parameters.get('oauth_signature')!, expected)) return 'bad signature';
    return this.useNonce(`${parameters.get('oauth_nonce')}:${timestamp}`, nowSeconds);
  }

  private useNonce(key: string, nowSeconds: number): string | undefined {
    // Insertion order is expiry order, so the forgettable nonces are the oldest ones.
    for (const [seen, expires] of this.nonces) {
      if (expires >= nowSeconds) break;
      this.nonces.delete(seen);
    }
    if (this.nonces.has(key)) return 'nonce already used';
    this.nonces.set(key, nowSeconds + 2 * WINDOW_SECONDS);
    return undefined;
  }
}
