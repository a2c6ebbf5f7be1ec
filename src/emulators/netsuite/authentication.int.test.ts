import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnswer, tbaHeader } from '../../../test/harness/netsuite-emulator-client.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';

// The two ways in: a JWT client assertion exchanged for a bearer token, and TBA signatures. Keys are
// generated here; the emulator knows only the public half, as NetSuite knows only the certificate.

let emulator: NetSuiteEmulator;
let rsa: CryptoKey;
let ec: CryptoKey;
let otherRsa: CryptoKey;
let pkcs1: CryptoKey;
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const tokenUrl = () => `${emulator.url}/services/rest/auth/oauth2/v1/token`;

beforeAll(async () => {
  const rsaPair = await generateKeyPair('PS256', { extractable: true });
  const ecPair = await generateKeyPair('ES256', { extractable: true });
  rsa = rsaPair.privateKey;
  ec = ecPair.privateKey;
  otherRsa = (await generateKeyPair('PS256')).privateKey;
  const pkcs1Pair = await generateKeyPair('RS256', { extractable: true });
  pkcs1 = pkcs1Pair.privateKey;
  emulator = await startNetSuiteEmulator({
    credentials: {
      certificates: {
        'cert-rsa': await exportSPKI(rsaPair.publicKey),
        'cert-ec': await exportSPKI(ecPair.publicKey),
        'cert-rs': await exportSPKI(pkcs1Pair.publicKey),
      },
    },
  });
});
afterAll(() => emulator?.close());

interface AssertionChanges {
  key?: CryptoKey;
  alg?: string;
  kid?: string;
  aud?: string;
  iss?: string;
  scope?: string | string[];
  iat?: number;
  exp?: number;
}

function assertion(changes: AssertionChanges = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const iat = changes.iat ?? now;
  return new SignJWT({ scope: changes.scope ?? ['restlets', 'rest_webservices'] })
    .setProtectedHeader({ alg: changes.alg ?? 'PS256', kid: changes.kid ?? 'cert-rsa', typ: 'JWT' })
    .setIssuer(changes.iss ?? emulator.credentials.clientId)
    .setAudience(changes.aud ?? tokenUrl())
    .setIssuedAt(iat)
    .setExpirationTime(changes.exp ?? iat + 3600)
    .sign(changes.key ?? rsa);
}

async function requestToken(jwt: string, grantType = 'client_credentials') {
  const body = new URLSearchParams({
    grant_type: grantType,
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: jwt,
  });
  return readAnswer(await fetch(tokenUrl(), { method: 'POST', body }));
}

const get = async (path: string, authorization?: string) =>
  readAnswer(await fetch(`${emulator.url}/services/rest/${path}`, { headers: authorization ? { authorization } : {} }));

describe('NetSuite emulator token endpoint', () => {
  it('exchanges a correctly signed PS256 or ES256 assertion for a bearer token the record API accepts', async () => {
    for (const jwt of [
      await assertion(),
      await assertion({ key: ec, alg: 'ES256', kid: 'cert-ec', scope: 'rest_webservices' }),
    ]) {
      const answer = await requestToken(jwt);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ token_type: 'bearer', expires_in: '3600' });
      const token = (answer.body as { access_token: string }).access_token;
      const limits = await get('system/v1/governanceLimits', `Bearer ${token}`);
      expect(limits).toMatchObject({ status: 200, body: { accountConcurrencyLimit: 5 } });
    }
  });

  it('refuses a wrong kid, audience, issuer or scope, an expired or over-long assertion and a bad signature', async () => {
    const now = Math.floor(Date.now() / 1000);
    const refused = {
      'unknown kid': await assertion({ kid: 'cert-other' }),
      'other audience': await assertion({
        aud: 'https://1234567.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token',
      }),
      'other issuer': await assertion({ iss: 'someone-else' }),
      'no rest_webservices scope': await assertion({ scope: 'restlets' }),
      expired: await assertion({ iat: now - 7200, exp: now - 3600 }),
      'lives over 60 minutes': await assertion({ exp: now + 3601 }),
      'signed by another key': await assertion({ key: otherRsa }),
      'RS256 is not accepted': await assertion({ alg: 'RS256', kid: 'cert-rs', key: pkcs1 }),
      'not a JWT': 'not-a-jwt',
    };
    for (const [why, jwt] of Object.entries(refused)) {
      const answer = await requestToken(jwt);
      expect(answer.status, why).toBe(400);
      expect(answer.body, why).toMatchObject({ error: 'invalid_grant' });
    }
    expect((await requestToken(await assertion(), 'password')).body).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it("answers 401 INVALID_LOGIN in NetSuite's shape without credentials or with an unknown bearer token", async () => {
    for (const authorization of [undefined, 'Bearer made-up', 'Basic dXNlcjpwYXNz']) {
      const answer = await get('record/v1/journalEntry/1', authorization);
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({
        title: 'Unauthorized',
        status: 401,
        'o:errorDetails': [{ 'o:errorCode': 'INVALID_LOGIN' }],
      });
    }
  });
});

describe('NetSuite emulator token-based authentication', () => {
  const url = () => `${emulator.url}/services/rest/system/v1/governanceLimits`;

  it('accepts a request signed with the consumer and token secrets', async () => {
    const answer = await get('system/v1/governanceLimits', tbaHeader(emulator.credentials, 'GET', url()));
    expect(answer.status).toBe(200);
  });

  it('refuses a wrong secret, a wrong realm, a reused nonce and a signature for another method or URL', async () => {
    const credentials = emulator.credentials;
    const reused = tbaHeader(credentials, 'GET', url());
    expect((await get('system/v1/governanceLimits', reused)).status).toBe(200);
    const refused = {
      'reused nonce': reused,
      'wrong token secret': tbaHeader({ ...credentials, tokenSecret: 'guess' }, 'GET', url()),
      'wrong consumer secret': tbaHeader({ ...credentials, consumerSecret: 'guess' }, 'GET', url()),
      'wrong realm': tbaHeader({ ...credentials, accountId: 'OTHER' }, 'GET', url()),
      'signed for POST': tbaHeader(credentials, 'POST', url()),
      'signed for another URL': tbaHeader(credentials, 'GET', `${url()}?limit=5`),
      'HMAC-SHA1': tbaHeader(credentials, 'GET', url()).replace('HMAC-SHA256', 'HMAC-SHA1'),
    };
    for (const [why, header] of Object.entries(refused)) {
      const answer = await get('system/v1/governanceLimits', header);
      expect(answer.status, why).toBe(401);
      expect(answer.body, why).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_LOGIN' }] });
    }
  });

  it('refuses a timestamp more than five minutes from the emulator clock', async () => {
    const skewed = await startNetSuiteEmulator({ now: () => Date.now() + 10 * 60_000 });
    try {
      const target = `${skewed.url}/services/rest/system/v1/governanceLimits`;
      const answer = await readAnswer(
        await fetch(target, { headers: { authorization: tbaHeader(skewed.credentials, 'GET', target) } }),
      );
      expect(answer.status).toBe(401);
    } finally {
      await skewed.close();
    }
  });
});
