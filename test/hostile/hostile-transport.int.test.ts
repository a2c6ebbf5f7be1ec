import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../harness/expect-problem.js';
import { operationName, readOperations, type ApiOperation } from '../harness/openapi-operations.js';
import { rowCounts } from '../harness/row-counts.js';
import { describeEachStore } from '../harness/stores.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes bytes to the server as they are (no client library tidies them up) and reads the answer until it closes. */
function sendRaw(t: TestApp, bytes: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

function expectRawProblem(answer: RawAnswer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(JSON.parse(answer.body)).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:meterbridge:problem:/),
    title: expect.any(String),
    detail: expect.any(String),
  });
}

describeEachStore('authentication first, and one error shape down to the transport', (stores) => {
  let t: TestApp;
  let operations: ApiOperation[];

  beforeAll(async () => {
    t = await startTestApp(stores);
    operations = await readOperations(t);
  });
  afterAll(() => t.close());

  describe('authentication before anything else', () => {
    it('answers PUT /v1/event-types/x/schemas/abc without a key with 401, not with the validation detail', async () => {
      await expectProblem(
        await t.request('/v1/event-types/x/schemas/abc', { method: 'PUT', key: null, json: { type: 'string' } }),
        401,
        /API key is required/,
      );
    });

    it('answers every secured route (read from /openapi.json) 401 without a key or with an unknown one, whatever its body, content type and parameters', async () => {
      const before = await rowCounts(t.app.db);
      const secured = operations.filter((operation) => operation.secured);
      expect(secured.length).toBeGreaterThanOrEqual(25);
      for (const operation of secured) {
        const path = `${operation.path.replace(/\{\w+\}/g, '%00')}?limit=abc&x=%00`;
        const body = operation.method === 'GET' ? undefined : `{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
        for (const key of [null, 'mb_not_a_key']) {
          const response = await t.request(path, {
            method: operation.method,
            key,
            headers: { 'content-type': 'text/plain' },
            body,
          });
          expect(response.status, `${operationName(operation)} with ${key ?? 'no key'}`).toBe(401);
        }
      }
      expect(await rowCounts(t.app.db)).toEqual(before);
    });
  });

  describe('errors of the transport as problems', () => {
    it('431: headers over the limit, answered by Node itself through clientError', async () => {
      expectRawProblem(
        await sendRaw(t, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
        431,
      );
    });

    it('400: a malformed request line or header', async () => {
      expectRawProblem(await sendRaw(t, 'GARBAGE\r\n\r\n'), 400);
      expectRawProblem(await sendRaw(t, 'GET /healthz HTTP/1.1\r\nHo st: x\r\n\r\n'), 400);
      expectRawProblem(
        await sendRaw(t, 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'),
        400,
      );
    });

    it("any malformed HTTP/1.1 request: a problem, never a silent close or Node's own body", async () => {
      const garbage = fc.string({
        unit: fc.integer({ min: 0, max: 0xff }).map((code) => String.fromCharCode(code)),
        minLength: 1,
        maxLength: 40,
      });
      const request = fc.oneof(
        garbage.map((line) => `${line}\r\n\r\n`),
        garbage.map((name) => `GET /healthz HTTP/1.1\r\nHost: x\r\n${name.replace(/[:\r\n]/g, '')}\u0000: 1\r\n\r\n`),
        garbage.map(
          (value) =>
            `POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${value.replace(/[\r\n]/g, '')}x\r\nContent-Length: 3\r\n\r\nabc`,
        ),
      );
      await fc.assert(
        fc.asyncProperty(request, async (raw) => {
          const answer = await sendRaw(t, raw);
          expect(answer.status, JSON.stringify(raw)).toBeLessThan(500);
          expect(answer.headers['content-type'], JSON.stringify(raw)).toBe('application/problem+json');
        }),
        { numRuns: 30 },
      );
    });

    it('413, 415 and malformed JSON on a JSON route', async () => {
      const preview = (body: string, contentType: string) =>
        t.request('/v1/rating/preview', { method: 'POST', headers: { 'content-type': contentType }, body });
      await expectProblem(await preview(`"${'x'.repeat(1024 * 1024 + 1)}"`, 'application/json'), 413, /too large/);
      await expectProblem(await preview('{}', 'text/plain'), 415, /.+/);
      await expectProblem(await preview('{}', 'application/json; charset=latin1'), 415, /only UTF-8 is accepted/);
      await expectProblem(await preview('{"currency": ', 'application/json'), 400, /^body is not valid JSON/);
      await expectProblem(await preview('', 'application/json'), 400, /body is empty/);
    });

    it('404 for an unknown route, 405 with Allow for a known path with another method', async () => {
      await expectProblem(await t.request('/v1/nothing', { key: null }), 404, /^no route GET \/v1\/nothing$/);
      const response = await t.request('/v1/invoices', { method: 'DELETE' });
      await expectProblem(response, 405, /^DELETE is not allowed on \/v1\/invoices; it allows GET, HEAD$/);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    });
  });
});
