import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthorizer, TokenCache } from './netsuite-auth.js';
import type { NetSuiteSettings } from './netsuite-settings.js';

// The assertion each kind of private key PEM signs, checked with the public half, and the cache's
// single flight; the token endpoint is a stub that only records what it was sent.

async function tokenEndpoint(): Promise<{ url: string; assertions: string[]; close(): void }> {
  const assertions: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      assertions.push(new URLSearchParams(body).get('client_assertion') ?? '');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ access_token: `token-${assertions.length}`, expires_in: '3600' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return { url, assertions, close: () => server.close() };
}

const settings = (tokenUrl: string): NetSuiteSettings => ({
  accountId: '1',
  restUrl: 'http://127.0.0.1:1/services/rest/',
  auth: { method: 'oauth2-m2m', clientId: 'client', certificateId: 'cert', tokenUrl },
  timeoutMs: undefined,
  currencies: {},
  items: {},
});

describe('NetSuite OAuth 2.0 machine-to-machine', () => {
  it('signs PS256 with an RSA key in PKCS#1 and ES256/ES384 with SEC1 EC keys, claims as NetSuite wants', async () => {
    const endpoint = await tokenEndpoint();
    try {
      const pairs = [
        ['PS256', generateKeyPairSync('rsa', { modulusLength: 2048 }), 'pkcs1'],
        ['ES256', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), 'sec1'],
        ['ES384', generateKeyPairSync('ec', { namedCurve: 'secp384r1' }), 'sec1'],
      ] as const;
      for (const [alg, pair, type] of pairs) {
        const privateKey = pair.privateKey.export({ format: 'pem', type }).toString();
        const authorizer = createAuthorizer(
          settings(endpoint.url),
          { method: 'oauth2-m2m', privateKey },
          { tokens: new TokenCache(), targetKey: alg, now: () => new Date() },
        );
        const { header } = await authorizer.authorize('PUT', 'http://x/', AbortSignal.timeout(5000));
        expect(header).toBe(`Bearer token-${endpoint.assertions.length}`);
        const assertion = endpoint.assertions.at(-1) ?? '';
        expect(decodeProtectedHeader(assertion)).toEqual({ alg, kid: 'cert', typ: 'JWT' });
        const { payload } = await jwtVerify(assertion, pair.publicKey, { issuer: 'client', audience: endpoint.url });
        expect(payload.scope).toEqual(['rest_webservices']);
        expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
      }
    } finally {
      endpoint.close();
    }
  });

  it('asks once for a burst of requests, and again once the token is near its end', async () => {
    const endpoint = await tokenEndpoint();
    try {
      let now = Date.parse('2026-11-01T00:00:00Z');
      const privateKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString();
      const tokens = new TokenCache();
      const authorizer = createAuthorizer(
        settings(endpoint.url),
        { method: 'oauth2-m2m', privateKey },
        { tokens, targetKey: 't', now: () => new Date(now) },
      );
      const signal = AbortSignal.timeout(5000);
      const headers = await Promise.all(Array.from({ length: 8 }, () => authorizer.authorize('PUT', 'u', signal)));
      expect(new Set(headers.map((one) => one.header))).toEqual(new Set(['Bearer token-1']));
      now += 58 * 60_000;
      expect((await authorizer.authorize('PUT', 'u', signal)).header).toBe('Bearer token-1');
      now += 60_000; // inside the last minute: renewed
      expect((await authorizer.authorize('PUT', 'u', signal)).header).toBe('Bearer token-2');
      expect(tokens.requests).toBe(2);
    } finally {
      endpoint.close();
    }
  });
});
