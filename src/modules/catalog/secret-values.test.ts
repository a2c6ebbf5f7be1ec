import { describe, expect, it } from 'vitest';
import { postingCatalogDocument } from '../../../test/fixtures/posting-catalog.js';
import { catalogErrorsOf } from '../../../test/fixtures/reference-catalog.js';
import { findSecretValues, secretShape } from './secret-values.js';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
const STRIPE = 'sk_live_51H8xYzAbCdEfGhIjKlMnOp';
const RESTRICTED = 'rk_test_4eC39HqLyjWDarjtT1zdp7dc';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJtYiIsInN1YiI6IngifQ.c2lnbmF0dXJl';
const RANDOM = 'q8Zr3Kp0Wm5Xt2Ln7Vb4Yc9Hd6Js1Fg0';
const HEX = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe('secretShape', () => {
  it.each([
    [PEM, 'a PEM block (private key or certificate)'],
    [STRIPE, 'a Stripe secret or restricted key'],
    [RESTRICTED, 'a Stripe secret or restricted key'],
    [`Bearer ${JWT}`, 'a JWT'],
    ['https://admin:hunter2@erp.example.com/api', 'a URL with a password in it'],
    [RANDOM, 'a long random string (a key or token)'],
    [HEX, 'a long random string (a key or token)'],
    [`Token ${RANDOM}`, 'a long random string (a key or token)'],
  ])('sees a secret in %s', (value, looksLike) => {
    expect(secretShape(value)).toBe(looksLike);
  });

  it.each([
    'https://1234567-sb1.suitetalk.api.netsuite.com',
    '/var/lib/meterbridge/exports/eu-2026-and-some-more-words',
    'NETSUITE_US_PRODUCTION_CREDENTIALS_FOR_THE_LEDGER',
    'application/json',
    'Meterbridge posting of the US entity, monthly journal 2026-01',
    'com.example.erp.integration.postings.journal.v2026',
  ])('sees none in %s', (value) => {
    expect(secretShape(value)).toBeUndefined();
  });

  it('lets an identifier look random when told to, never look like a key block or a JWT', () => {
    expect(secretShape(HEX, true)).toBeUndefined();
    expect(secretShape(JWT, true)).toBe('a JWT');
  });
});

describe('findSecretValues', () => {
  it('finds values under secret-like keys, whatever they hold, and shaped values at any depth', () => {
    const settings = {
      auth: { clientSecret: 'short', api_key: 'k', tokenUrl: 'https://example.com/token', password: '' },
      headers: { Authorization: 'Basic x', 'X-Trace': 'on', List: ['a', STRIPE] },
    };
    expect(findSecretValues(settings)).toEqual([
      { path: '/auth/clientSecret', looksLike: 'a credential: the key "clientSecret" names one' },
      { path: '/auth/api_key', looksLike: 'a credential: the key "api_key" names one' },
      { path: '/headers/Authorization', looksLike: 'a credential: the key "Authorization" names one' },
      { path: '/headers/List/1', looksLike: 'a Stripe secret or restricted key' },
    ]);
  });

  it('exempts only the pointers given from the randomness test', () => {
    expect(findSecretValues({ auth: { clientId: HEX, other: HEX } }, ['/auth/clientId'])).toEqual([
      { path: '/auth/other', looksLike: 'a long random string (a key or token)' },
    ]);
  });
});

describe('validateCatalog: secrets written into a target', () => {
  it('refuses each one at its path, saying to name a secret instead, and never quotes the value', () => {
    const document = postingCatalogDocument();
    document.targets[0].settings.auth.privateKey = PEM;
    document.targets[0].settings.accountId = RANDOM;
    document.targets.push({
      key: 'hook',
      kind: 'webhook',
      settings: { url: 'https://hooks.example.com/mb', headers: { 'X-Api-Key': STRIPE, 'X-Sig': JWT } },
      credentials: 'A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q7R8',
    });
    const errors = catalogErrorsOf(document) as { path: string; message: string }[];
    const advice =
      'put it in a secret (MB_SECRET_<NAME> or the secrets file) and give the secret\'s name in "credentials"';
    expect(errors).toEqual([
      {
        path: '/targets/0/settings/accountId',
        message: `looks like a secret (a long random string (a key or token)): ${advice}`,
      },
      {
        path: '/targets/0/settings/auth/privateKey',
        message: `looks like a secret (a credential: the key "privateKey" names one): ${advice}`,
      },
      {
        path: '/targets/2/settings/headers/X-Api-Key',
        message: `looks like a secret (a credential: the key "X-Api-Key" names one): ${advice}`,
      },
      { path: '/targets/2/settings/headers/X-Sig', message: `looks like a secret (a JWT): ${advice}` },
      {
        path: '/targets/2/credentials',
        message:
          'looks like a secret itself (a long random string (a key or token)): credentials is the name of a secret',
      },
    ]);
    const text = JSON.stringify(errors);
    for (const secret of [PEM, RANDOM, STRIPE, JWT, 'A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q7R8', 'MIIEvQIBADAN'])
      expect(text).not.toContain(secret);
  });
});
