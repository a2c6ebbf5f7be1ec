import { describe, expect, it } from 'vitest';
import { tokenTransportFailure } from '../oauth-token-request.js';
import { netsuiteFailure, tokenFailure } from './netsuite-errors.js';

const now = new Date('2026-11-01T00:00:00Z');
const context = { what: 'PUT record/v1/journalEntry/eid:J-1', now, recentlyThrottled: false };
const netsuiteError = (status: number, code: string, detail: string, path?: string) =>
  JSON.stringify({
    type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html',
    title: 'Error',
    status,
    'o:errorDetails': [{ detail, 'o:errorCode': code, ...(path ? { 'o:errorPath': path } : {}) }],
  });

describe("NetSuite's answers as failure classes", () => {
  it('takes both 429 codes for throttling, with Retry-After when NetSuite sends one', () => {
    for (const code of ['CONCURRENCY_LIMIT_EXCEEDED', 'REQUEST_LIMIT_EXCEEDED']) {
      const text = netsuiteError(429, code, 'Request blocked.');
      expect(netsuiteFailure(429, text, new Headers(), context)).toMatchObject({
        failureClass: 'throttled',
        detail: {
          code,
          status: 429,
          targetText: text,
          retryAfterMs: undefined,
          throttledOn: code === 'CONCURRENCY_LIMIT_EXCEEDED' ? 'concurrency' : 'rate',
        },
      });
    }
    const text = netsuiteError(429, 'CONCURRENCY_LIMIT_EXCEEDED', 'Request blocked.');
    expect(netsuiteFailure(429, text, new Headers({ 'retry-after': '7' }), context).detail.retryAfterMs).toBe(7000);
  });

  it('takes 401 INVALID_LOGIN for auth, unless the account throttled moments ago', () => {
    const text = netsuiteError(401, 'INVALID_LOGIN', 'Invalid login attempt.');
    expect(netsuiteFailure(401, text, new Headers(), context)).toMatchObject({
      failureClass: 'auth',
      detail: { code: 'INVALID_LOGIN' },
    });
    const underLoad = netsuiteFailure(401, text, new Headers(), { ...context, recentlyThrottled: true });
    expect(underLoad.failureClass).toBe('throttled');
    expect(underLoad.message).toMatch(/under load/);
  });

  it('keeps code, path and the whole text of a refused record', () => {
    const text = netsuiteError(
      400,
      'INVALID_CONTENT',
      'Error while accessing a resource. You have entered an Invalid Field Value 999 for the following field: account',
      'line.items[0].account',
    );
    const failure = netsuiteFailure(400, text, new Headers(), context);
    expect(failure).toMatchObject({
      failureClass: 'invalid',
      detail: { status: 400, code: 'INVALID_CONTENT', path: 'line.items[0].account', targetText: text },
    });
    expect(failure.message).toContain('Invalid Field Value 999');
  });

  it('classifies HTML, non-JSON and JSON 5xx as unknown outcomes, keeping the text as it came', () => {
    const html = '<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>';
    for (const [status, text] of [
      [503, html],
      [502, html],
      [500, 'upstream exploded'],
      [500, ''],
      [500, netsuiteError(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.')],
    ] as const) {
      const failure = netsuiteFailure(status, text, new Headers(), context);
      expect(failure).toMatchObject({ failureClass: 'unknown_outcome', detail: { status, targetText: text } });
    }
  });

  it("reads the token endpoint's refusals: nothing was posted, so never an unknown outcome", () => {
    const grant = JSON.stringify({ error: 'invalid_grant', error_description: 'the kid names no certificate' });
    expect(tokenFailure(400, grant, new Headers(), now, 'POST token')).toMatchObject({
      failureClass: 'auth',
      detail: { code: 'invalid_grant', targetText: grant },
    });
    expect(tokenFailure(503, '<html/>', new Headers(), now, 'POST token').failureClass).toBe('unavailable');
    expect(tokenFailure(429, '', new Headers(), now, 'POST token').failureClass).toBe('throttled');
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(tokenTransportFailure(timeout, 'POST token').failureClass).toBe('unavailable');
  });
});
