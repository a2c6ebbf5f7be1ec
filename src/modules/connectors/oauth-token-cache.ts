import { createHash } from 'node:crypto';

// The bearer tokens of OAuth 2.0 client-credentials grants (NetSuite's machine-to-machine, Business
// Central's Entra ID), kept per target and credentials. Connectors are rebuilt from each catalog
// version, so a kind's connectors share one cache: a burst of deliveries asks for one token, and a
// token is used until shortly before it expires rather than once per delivery.

export interface CachedToken {
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

  /** Forgets a token the target refused, unless a newer one has replaced it meanwhile. */
  async forget(key: string, accessToken: string): Promise<void> {
    const cached = this.entries.get(key);
    const token = await cached?.catch(() => undefined);
    if (cached && token?.accessToken === accessToken && this.entries.get(key) === cached) this.entries.delete(key);
  }
}

/**
 * The cache key of one target's credentials: what names them, plus a fingerprint of the secret (never
 * the secret itself), so a rotated secret gets a new token at once.
 */
export function tokenCacheKey(parts: readonly string[], secret: string): string {
  const fingerprint = createHash('sha256').update(secret).digest('base64url').slice(0, 16);
  return [...parts, fingerprint].join('\u0000');
}
