import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcPeriodEntries } from '../../../../test/harness/business-central-test-ledger.js';
import type { DeliveryFailure, JournalEntry, TargetDefinition } from '../connector.js';
import { createBusinessCentralConnector, createBusinessCentralContext } from './business-central-connector.js';

// What a connector meets that no well-behaved Business Central sends: a gateway's HTML page, a 2xx whose
// JSON was cut off, a code nobody documented, a next link off the API's host, a redirect. A canned server
// answers the connector's first API request (the look-up of the posting's G/L entries) with each, and the
// failure must be classified with the answer kept whole.

interface Canned {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

let server: Server;
let url: string;
let canned: Canned;
let apiRequests = 0;
let tokenRequests = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url?.endsWith('/oauth2/v2.0/token')) {
      tokenRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(
        JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: `t${tokenRequests}` }),
      );
    }
    apiRequests += 1;
    response.writeHead(canned.status, { 'content-type': 'application/json; charset=utf-8', ...canned.headers });
    response.end(canned.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function target(): TargetDefinition {
  return {
    key: 'canned',
    kind: 'business-central',
    settings: {
      baseUrl: url,
      tokenEndpoint: `${url}/tenant/oauth2/v2.0/token`,
      tenant: 'tenant',
      environment: 'Sandbox',
      companyId: 'c0a1b2c3-0000-4000-8000-00000000c0de',
      clientId: '3f2b8c1d-0000-4000-8000-0000000c11e7',
      localCurrency: 'USD',
    },
    credentials: 'BC',
    limits: { requestsPerSecond: 100, concurrency: 1 },
  };
}

async function deliverAgainst(answer: Canned): Promise<DeliveryFailure> {
  canned = answer;
  const [entry] = bcPeriodEntries(1) as [JournalEntry];
  const connector = createBusinessCentralConnector(
    target(),
    async () => '{"clientSecret":"s"}',
    createBusinessCentralContext(),
  );
  const failure = await connector.deliver(entry, AbortSignal.timeout(5000)).then(
    () => undefined,
    (error: unknown) => error as DeliveryFailure,
  );
  if (failure === undefined) throw new Error('expected the delivery to fail');
  return failure;
}

const bcError = (code: string, message: string) => JSON.stringify({ error: { code, message } });

describe('Business Central answers no well-behaved service sends', () => {
  it("takes a gateway's HTML page for an outcome it does not know, and keeps the page", async () => {
    const html = '<!DOCTYPE html><html><body><h1>502 - Web server received an invalid response</h1></body></html>';
    const failure = await deliverAgainst({ status: 502, body: html, headers: { 'content-type': 'text/html' } });
    expect(failure).toMatchObject({ failureClass: 'unknown_outcome', detail: { status: 502, targetText: html } });
  });

  it('takes a 200 with HTML or truncated JSON for an outcome it does not know', async () => {
    for (const body of [
      '<html><body>Sign in</body></html>',
      '{"value":[{"id":"8f1c',
      '{"value":[{"entryNumber":1}]}',
    ]) {
      const failure = await deliverAgainst({ status: 200, body });
      expect(failure).toMatchObject({ failureClass: 'unknown_outcome', detail: { status: 200, targetText: body } });
    }
  });

  it('classifies an undocumented code by its status, keeping the code and the text', async () => {
    const text = bcError('Quota_Exceeded', 'Something new.');
    const failure = await deliverAgainst({ status: 400, body: text });
    expect(failure).toMatchObject({ failureClass: 'invalid', detail: { code: 'Quota_Exceeded', targetText: text } });
    expect(failure.message).toContain('a code this connector does not know: classified by status');
  });

  it('reads the code, not the status: a 429, a stale etag as 412, a duplicate key as 400', async () => {
    const throttled = await deliverAgainst({
      status: 429,
      body: bcError('Application_TooManyRequests', 'Too many requests reached.  Actual (6001).  Maximum (6000).'),
      headers: { 'retry-after': '5' },
    });
    expect(throttled).toMatchObject({ failureClass: 'throttled', detail: { retryAfterMs: 5000 } });
    const changed = await deliverAgainst({
      status: 412,
      body: bcError('Request_EntityChanged', 'Another user has already changed the record.'),
    });
    expect(changed.failureClass).toBe('unavailable');
    const duplicate = await deliverAgainst({
      status: 400,
      body: bcError('Internal_EntityWithSameKeyExists', 'The record already exists.'),
    });
    expect(duplicate.failureClass).toBe('unavailable');
  });

  it('asks for a new token once after a 401, then gives up as auth', async () => {
    const [tokens, requests] = [tokenRequests, apiRequests];
    const failure = await deliverAgainst({
      status: 401,
      body: bcError('Authentication_InvalidCredentials', 'The server has rejected the client credentials.'),
    });
    expect(failure).toMatchObject({ failureClass: 'auth', detail: { code: 'Authentication_InvalidCredentials' } });
    expect([tokenRequests - tokens, apiRequests - requests]).toEqual([2, 2]);
  });

  it('follows no next link off the API host and no redirect', async () => {
    const offHost = await deliverAgainst({
      status: 200,
      body: JSON.stringify({ value: [], '@odata.nextLink': 'http://elsewhere.example/x' }),
    });
    expect(offHost.failureClass).toBe('unknown_outcome');
    expect(offHost.message).toContain("next link off the API's origin");
    const redirect = await deliverAgainst({
      status: 302,
      body: '',
      headers: { location: 'http://elsewhere.example/' },
    });
    expect(redirect).toMatchObject({ failureClass: 'invalid', detail: { status: 302 } });
  });
});
