import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalEntryBody, tbaRequest } from '../../../test/harness/netsuite-emulator-client.js';
import { startNetSuiteEmulator, type NetSuiteEmulator } from './netsuite-emulator.js';

// Whatever a client sends, the answer is a precise 4xx in NetSuite's error shape, never a 5xx: the
// emulator must not be the thing that fails when a connector test feeds it garbage.

let emulator: NetSuiteEmulator;
const post = (raw: string | Uint8Array, headers: Record<string, string> = {}) =>
  tbaRequest(emulator.url, emulator.credentials, {
    path: 'record/v1/journalEntry',
    raw,
    headers: { 'content-type': 'application/json', ...headers },
  });

beforeAll(async () => {
  emulator = await startNetSuiteEmulator();
});
afterAll(() => emulator?.close());

function expectRefusal(answer: { status: number; body: unknown }, status: number, path?: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ status, 'o:errorDetails': [{ detail: expect.any(String) }] });
  if (path !== undefined) expect(answer.body).toMatchObject({ 'o:errorDetails': [{ 'o:errorPath': path }] });
}

describe('NetSuite emulator and hostile bodies', () => {
  const valid = JSON.stringify(journalEntryBody('hostile'));

  it('refuses NUL and a lone surrogate with the path of the value', async () => {
    expectRefusal(await post(valid.replace('usage October 2026', 'usage\\u0000October')), 400, 'memo');
    expectRefusal(await post(valid.replace('receivable', '\\ud800')), 400, 'line.items[0].memo');
  });

  it('refuses nesting 10,000 levels deep without a stack overflow', async () => {
    const deep = `{"externalId":"deep","memo":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    expectRefusal(await post(deep), 400);
  });

  it('refuses a null line, lines that are not a list, and a line that is not an object', async () => {
    const body = journalEntryBody('nulls');
    for (const items of [[null, ...body.line.items], 'lines', [[1]]]) {
      const answer = await post(JSON.stringify({ ...body, line: { items } }));
      expectRefusal(answer, 400);
      expect(JSON.stringify(answer.body)).toMatch(/line\.items/);
    }
  });

  it('refuses text that is not JSON, bytes that are not UTF-8, an empty body and a JSON scalar', async () => {
    for (const raw of ['{"externalId": ', 'externalId=x', '', '42', 'null', new Uint8Array([0x7b, 0xff, 0x7d])]) {
      expectRefusal(await post(raw), 400);
    }
  });

  it('refuses a field given twice instead of keeping the last one', async () => {
    expectRefusal(await post(valid.replace('"debit":187', '"debit":187,"debit":1870')), 400, 'line.items[0].debit');
  });

  it('refuses a number JSON cannot carry exactly and a negative amount', async () => {
    expectRefusal(
      await post(valid.replace('"debit":187', '"debit":187.00000000000000001')),
      400,
      'line.items[0].debit',
    );
    expectRefusal(await post(valid.replaceAll(':187', ':-187')), 400);
  });

  it('refuses an 11 MB body with 413 and another media type with 415', async () => {
    const huge = JSON.stringify({ ...journalEntryBody('huge'), memo: 'x'.repeat(11 * 1024 * 1024) });
    expectRefusal(await post(huge), 413);
    expectRefusal(await post(valid, { 'content-type': 'text/xml' }), 415);
    expectRefusal(await post(valid, { 'content-type': 'application/json; charset=latin1' }), 415);
  });

  it('refuses a malformed escape in the path and a Host header no URL can hold', async () => {
    const path = await tbaRequest(emulator.url, emulator.credentials, { path: 'record/v1/journalEntry/eid:%E0%A4%A' });
    expectRefusal(path, 400);
    const status = await new Promise<string>((resolve) => {
      const socket = connect(emulator.port, '127.0.0.1', () =>
        socket.end('GET /services/rest/record/v1/journalEntry/1 HTTP/1.1\r\nHost: a b\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += String(chunk)));
      socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    });
    expect(status).toBe('HTTP/1.1 400 Bad Request');
  });

  it('answered every hostile body above with a 4xx and stored nothing', () => {
    const { outcomes } = emulator.stats();
    expect(outcomes.serverError).toBe(0);
    expect(outcomes.clientError).toBeGreaterThan(15);
    expect(emulator.records()).toEqual([]);
  });
});
