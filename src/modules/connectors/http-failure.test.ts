import { describe, expect, it } from 'vitest';
import { responseFailure, statusClass, transportFailure } from './http-failure.js';
import { retryAfterMs } from './retry-after.js';

const now = new Date('2026-11-01T00:00:00Z');

describe('classifying what a target answered', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Sun, 01 Nov 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sat, 31 Oct 2026 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('maps statuses to failure classes: 5xx is an unknown outcome, read back before a retry', () => {
    expect([429, 401, 403, 408, 409, 400, 404, 422, 500, 502, 503, 504].map(statusClass)).toEqual([
      'throttled',
      'auth',
      'auth',
      'unavailable',
      'unavailable',
      'invalid',
      'invalid',
      'invalid',
      'unknown_outcome',
      'unknown_outcome',
      'unknown_outcome',
      'unknown_outcome',
    ]);
  });

  it('keeps the answer whole, with its Retry-After', () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    const failure = responseFailure(429, html, new Headers({ 'retry-after': '7' }), now);
    expect(failure.detail).toEqual({ targetText: html, status: 429, retryAfterMs: 7000 });
  });

  it('tells a refused connection (nothing sent) from a reset or a timeout (maybe acted on)', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
    });
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(transportFailure(refused, 'POST x').failureClass).toBe('unavailable');
    expect(transportFailure(reset, 'POST x').failureClass).toBe('unknown_outcome');
    expect(transportFailure(timeout, 'POST x')).toMatchObject({
      failureClass: 'unknown_outcome',
      message: 'POST x: no answer in time',
    });
  });
});
