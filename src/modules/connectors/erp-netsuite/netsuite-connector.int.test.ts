import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetSuiteEmulator, type NetSuiteEmulator } from '../../../emulators/netsuite/index.js';
import { DeliveryFailure, type ErpDocument, type JournalEntry, type TargetDefinition } from '../connector.js';
import { createNetSuiteConnector, createNetSuiteContext, type NetSuiteContext } from './netsuite-connector.js';

// The connector against a real emulator on 127.0.0.1: both auth methods, the token cache, records as
// NetSuite stores them, read-back by external id and SuiteQL, and answers that are not NetSuite's.

const signal = () => AbortSignal.timeout(10_000);
let emulator: NetSuiteEmulator;
const keys: Record<'ec' | 'rsa', { privateKey: string; publicKey: string }> = {
  ec: { privateKey: '', publicKey: '' },
  rsa: { privateKey: '', publicKey: '' },
};

beforeAll(async () => {
  for (const [name, alg] of [
    ['ec', 'ES256'],
    ['rsa', 'PS256'],
  ] as const) {
    const pair = await generateKeyPair(alg, { extractable: true });
    keys[name] = { privateKey: await exportPKCS8(pair.privateKey), publicKey: await exportSPKI(pair.publicKey) };
  }
  emulator = await startNetSuiteEmulator({ seed: 7, credentials: { certificates: certificates() } });
});
afterAll(() => emulator?.close());

const certificates = () => ({ 'cert-ec': keys.ec.publicKey, 'cert-rsa': keys.rsa.publicKey });

function target(baseUrl: string, auth: Record<string, unknown>): TargetDefinition {
  return {
    key: 'ns',
    kind: 'netsuite',
    // The account id as the URL spells it: the TBA realm is derived from it (1234567_SB1).
    settings: { accountId: '1234567-sb1', baseUrl, auth, currencies: { USD: '1' } },
    credentials: 'NS',
    limits: { requestsPerSecond: 100, concurrency: 4 },
  };
}
const tba = { method: 'tba' };
const m2m = (key: 'ec' | 'rsa', clientId = emulator.credentials.clientId) => ({
  method: 'oauth2-m2m',
  clientId,
  certificateId: `cert-${key}`,
});
const tbaSecret = () => {
  const { consumerKey, consumerSecret, tokenId, tokenSecret } = emulator.credentials;
  return JSON.stringify({ consumerKey, consumerSecret, tokenId, tokenSecret });
};
const keySecret = (key: 'ec' | 'rsa') => JSON.stringify({ privateKey: keys[key].privateKey });

function journal(externalId: string, amount = '187.00', account = '58'): JournalEntry {
  const dimensions = { subsidiary: '1', department: '1' };
  return {
    type: 'journal',
    externalId,
    legalEntity: 'US',
    currency: 'USD',
    postingDate: '2026-10-31',
    memo: `usage ${externalId}`,
    lines: [
      { account, dimensions, debit: amount, credit: '0', memo: 'receivable', references: [] },
      { account: '4', dimensions, debit: '0', credit: amount, memo: 'revenue', references: [] },
    ],
  };
}

function document(type: ErpDocument['type'], externalId: string): ErpDocument {
  return {
    type,
    externalId,
    legalEntity: 'US',
    customer: '100',
    currency: 'USD',
    documentDate: '2026-11-01',
    memo: `Meterbridge ${externalId}`,
    dimensions: { subsidiary: '1' },
    lines: [
      {
        item: '10',
        description: 'API calls',
        quantity: '1500',
        unitPrice: '0.0125',
        amount: '18.75',
        reference: { invoiceId: 'i', invoiceNumber: 'MB-1', lineNo: 1 },
      },
    ],
    tax: '0',
    total: '18.75',
  };
}

async function failureOf(promise: Promise<unknown>): Promise<DeliveryFailure> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof DeliveryFailure)) throw new Error(`expected a DeliveryFailure, got ${String(error)}`);
  return error;
}

describe('the NetSuite connector against the emulator', () => {
  it('upserts a journal entry, an invoice and a credit memo by external id with TBA, and reads them back', async () => {
    const connector = createNetSuiteConnector(
      target(emulator.url, tba),
      async () => tbaSecret(),
      createNetSuiteContext(),
    );
    const bodies = [journal('J-TBA-1'), document('invoice', 'I-TBA-1'), document('credit_memo', 'C-TBA-1')];
    const ids = [];
    for (const body of bodies) ids.push((await connector.deliver(body, signal())).id);
    // Delivered again (a lost answer's retry): the same records, replaced, not doubled.
    for (const [index, body] of bodies.entries()) expect((await connector.deliver(body, signal())).id).toBe(ids[index]);
    // Read back with the total and the lines NetSuite holds, in the terms they were sent in.
    const asSent = [
      {
        total: '187',
        lines: [
          { place: '58', amount: '187' },
          { place: '4', amount: '-187' },
        ],
      },
      { total: '18.75', lines: [{ place: '10', amount: '18.75' }] },
      { total: '18.75', lines: [{ place: '10', amount: '18.75' }] },
    ];
    for (const [index, body] of bodies.entries())
      expect(await connector.find(body, signal())).toEqual({ id: ids[index], ...asSent[index] });
    expect(await connector.find(journal('J-NOT-THERE'), signal())).toBeUndefined();
    const held = emulator.records().filter((record) => String(record.externalId).includes('-TBA-'));
    expect(held.map((record) => [record.type, record.externalId])).toEqual([
      ['journalEntry', 'J-TBA-1'],
      ['invoice', 'I-TBA-1'],
      ['creditMemo', 'C-TBA-1'],
    ]);
    expect(held[0]).toMatchObject({
      subsidiary: { id: '1' },
      currency: { id: '1' },
      tranDate: '2026-10-31',
      line: { items: [{ account: { id: '58' }, debit: 187, department: { id: '1' } }, { credit: 187 }] },
    });
    expect(held[1]).toMatchObject({
      entity: { id: '100' },
      item: { items: [{ item: { id: '10' }, quantity: 1500, rate: 0.0125, amount: 18.75 }] },
    });
    const found = await connector.findMany([...bodies, journal('J-NOT-THERE')], signal());
    expect(Object.fromEntries([...found].map(([externalId, held]) => [externalId, held.id]))).toEqual({
      'J-TBA-1': ids[0],
      'I-TBA-1': ids[1],
      'C-TBA-1': ids[2],
    });
    // With the totals and lines NetSuite holds: the journal entry's debits, the documents' totals.
    for (const [index, body] of bodies.entries())
      expect(found.get(body.externalId)).toEqual({ id: ids[index], ...asSent[index] });
  });

  it('buys one bearer token with an ES256 or a PS256 assertion and reuses it for many deliveries', async () => {
    for (const key of ['ec', 'rsa'] as const) {
      const context = createNetSuiteContext();
      const connector = createNetSuiteConnector(target(emulator.url, m2m(key)), async () => keySecret(key), context);
      const before = emulator.stats().requests;
      await Promise.all(
        Array.from({ length: 4 }, (_, i) => connector.deliver(journal(`J-${key.toUpperCase()}-${i}`), signal())),
      );
      for (let i = 4; i < 10; i += 1) await connector.deliver(journal(`J-${key.toUpperCase()}-${i}`), signal());
      expect(context.tokens.requests).toBe(1);
      // Ten record requests and one token request reached the account.
      expect(emulator.stats().requests - before).toBe(11);
    }
  });

  it('asks for a new token before the cached one expires', async () => {
    let offsetMs = 0;
    const shifted = () => Date.now() + offsetMs;
    const own = await startNetSuiteEmulator({ now: shifted, credentials: { certificates: certificates() } });
    try {
      const context: NetSuiteContext = createNetSuiteContext({ now: () => new Date(shifted()) });
      const connector = createNetSuiteConnector(target(own.url, m2m('ec')), async () => keySecret('ec'), context);
      await connector.deliver(journal('J-EXP-1'), signal());
      offsetMs += 59 * 60_000; // within the last minute of the token's hour: renewed ahead of time
      await connector.deliver(journal('J-EXP-2'), signal());
      expect(context.tokens.requests).toBe(2);
      offsetMs += 61 * 60_000; // long expired
      await connector.deliver(journal('J-EXP-3'), signal());
      expect(context.tokens.requests).toBe(3);
      expect(own.stats().outcomes.unauthorized).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('drops a token NetSuite no longer accepts, once, and is then an auth failure', async () => {
    const own = await startNetSuiteEmulator({ credentials: { certificates: certificates() } });
    const context = createNetSuiteContext();
    const connector = createNetSuiteConnector(target(own.url, m2m('ec')), async () => keySecret('ec'), context);
    await connector.deliver(journal('J-REV-1'), signal());
    // A restarted account has forgotten every token it issued: the cached one is now refused.
    await own.close();
    const again = await startNetSuiteEmulator({ port: own.port, credentials: { certificates: certificates() } });
    // Lets the client's pool see that the old server cut its kept-alive connections.
    await sleep(50);
    try {
      await connector.deliver(journal('J-REV-2'), signal());
      expect(context.tokens.requests).toBe(2);
      expect(again.stats().outcomes.unauthorized).toBe(1);
      // A client id the account does not know: the token endpoint refuses, which is for a person to fix.
      const stranger = createNetSuiteConnector(
        target(again.url, m2m('ec', 'someone-else')),
        async () => keySecret('ec'),
        context,
      );
      expect(await failureOf(stranger.deliver(journal('J-REV-3'), signal()))).toMatchObject({
        failureClass: 'auth',
        detail: { code: 'invalid_grant', status: 400 },
      });
      // TBA with a wrong token secret: 401 INVALID_LOGIN is auth, and no retry is made for it.
      const wrong = JSON.stringify({ ...JSON.parse(tbaSecret()), tokenSecret: 'guess' });
      const before = again.stats().requests;
      const tbaConnector = createNetSuiteConnector(target(again.url, tba), async () => wrong, context);
      const failure = await failureOf(tbaConnector.deliver(journal('J-REV-4'), signal()));
      expect(failure).toMatchObject({ failureClass: 'auth', detail: { status: 401, code: 'INVALID_LOGIN' } });
      expect(again.stats().requests - before).toBe(1);
    } finally {
      await again.close();
    }
  });

  it('answers auth for a missing or malformed secret without quoting it', async () => {
    const missing = createNetSuiteConnector(target(emulator.url, tba), async (name) => {
      throw new DeliveryFailure('auth', `secret ${name} is not set`);
    });
    expect(await failureOf(missing.deliver(journal('J-SEC-1'), signal()))).toMatchObject({ failureClass: 'auth' });
    const leaky = '{"privateKey": "not-a-pem-but-secret-material"}';
    const bad = createNetSuiteConnector(target(emulator.url, m2m('ec')), async () => leaky);
    const failure = await failureOf(bad.deliver(journal('J-SEC-2'), signal()));
    expect(failure.failureClass).toBe('auth');
    expect(JSON.stringify({ message: failure.message, detail: failure.detail })).not.toContain('secret-material');
    const notJson = createNetSuiteConnector(target(emulator.url, tba), async () => 'consumer:secret');
    const plain = await failureOf(notJson.deliver(journal('J-SEC-3'), signal()));
    expect(plain.message).not.toContain('consumer:secret');
  });

  it("keeps NetSuite's refusal of an unknown account whole, with its code and path", async () => {
    const connector = createNetSuiteConnector(target(emulator.url, tba), async () => tbaSecret());
    const failure = await failureOf(connector.deliver(journal('J-BAD-1', '10.00', '999'), signal()));
    expect(failure).toMatchObject({
      failureClass: 'invalid',
      detail: { status: 400, code: 'INVALID_CONTENT', path: 'line.items[0].account' },
    });
    expect(failure.detail.targetText).toContain('Invalid Field Value 999');
  });
});

describe('the NetSuite connector against answers that are not NetSuite’s', () => {
  let server: Server;
  let url: string;
  interface Canned {
    status: number;
    headers?: Record<string, string>;
    body?: string;
  }
  let answer: (method: string) => Canned;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const { status, headers, body } = answer(request.method ?? 'GET');
      response.writeHead(status, headers).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const connector = () => createNetSuiteConnector(target(url, tba), async () => tbaSecret());

  it('classifies a non-JSON 500, an HTML 503, a 204 without Location and a garbled read-back, text kept', async () => {
    const cases: Canned[] = [
      { status: 500, headers: { 'content-type': 'text/plain' }, body: 'upstream exploded' },
      { status: 503, headers: { 'content-type': 'text/html' }, body: '<html><body>maintenance</body></html>' },
      { status: 204 },
      { status: 302, headers: { location: 'https://system.netsuite.com/pages/login.jsp' } },
    ];
    const classes = [];
    for (const one of cases) {
      answer = () => one;
      const failure = await failureOf(connector().deliver(journal('J-ODD-1'), signal()));
      classes.push(failure.failureClass);
      expect(failure.detail.targetText ?? '').toBe(one.body ?? '');
    }
    expect(classes).toEqual(['unknown_outcome', 'unknown_outcome', 'unknown_outcome', 'invalid']);
    answer = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"id": {"$ne": 1}}' });
    expect((await failureOf(connector().find(journal('J-ODD-1'), signal()))).failureClass).toBe('unknown_outcome');
    answer = () => ({ status: 404, headers: { 'content-type': 'text/html' }, body: '<html>no such page</html>' });
    expect((await failureOf(connector().find(journal('J-ODD-1'), signal()))).failureClass).toBe('invalid');
  });

  it('is unavailable when nothing listens, and an unknown outcome when the answer is too slow', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = createNetSuiteConnector(target(`http://127.0.0.1:${port}`, tba), async () => tbaSecret());
    expect((await failureOf(refused.deliver(journal('J-OFF-1'), signal()))).failureClass).toBe('unavailable');
    answer = () => ({ status: 204 });
    const slow = createServer(() => undefined);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const quiet = createNetSuiteConnector(
        { ...target(`http://127.0.0.1:${(slow.address() as AddressInfo).port}`, tba), key: 'slow' },
        async () => tbaSecret(),
      );
      const failure = await failureOf(quiet.deliver(journal('J-OFF-2'), AbortSignal.timeout(300)));
      expect(failure.failureClass).toBe('unknown_outcome');
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
