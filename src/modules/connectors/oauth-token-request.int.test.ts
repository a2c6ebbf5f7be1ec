import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryFailure } from './connector.js';
import { requestClientCredentialsToken } from './oauth-token-request.js';

// A token endpoint's 200 that cannot be used is a failure whose kept text never holds a token: the text is
// stored on the attempt and returned by the postings API.

let answer = '';
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function failureFor(body: string): Promise<DeliveryFailure> {
  answer = body;
  const refused = () => new DeliveryFailure('auth', 'refused');
  try {
    await requestClientCredentialsToken(
      url,
      { client_id: 'c' },
      { now: () => new Date(), signal: AbortSignal.timeout(5000), refused },
    );
  } catch (error) {
    if (error instanceof DeliveryFailure) return error;
    throw error;
  }
  throw new Error('expected a DeliveryFailure');
}

describe('a token endpoint answer without a usable lifetime', () => {
  it('is unavailable, and keeps the answer with its tokens redacted', async () => {
    const failure = await failureFor(
      JSON.stringify({ access_token: 'eyJSECRETTOKEN', refresh_token: 'r-SECRET', token_type: 'Bearer' }),
    );
    expect(failure.failureClass).toBe('unavailable');
    expect(failure.detail.targetText).not.toMatch(/SECRET/);
    expect(JSON.parse(failure.detail.targetText!)).toEqual({
      access_token: '[redacted]',
      refresh_token: '[redacted]',
      token_type: 'Bearer',
    });
  });

  it('keeps only the size of an answer that is not a JSON object', async () => {
    const failure = await failureFor('access_token=eyJSECRETTOKEN&expires_in=oops');
    expect(failure.detail.targetText).toBe('(an answer of 43 characters that is not a JSON object)');
  });
});
