import { describe, expect, it } from 'vitest';
import { bcFailure, classOfCode, readBcError, tokenFailure } from './business-central-errors.js';

const now = new Date('2026-11-01T00:00:00Z');
const bcText = (code: string, message = 'something') =>
  JSON.stringify({ error: { code, message: `${message}  CorrelationId:  1f0e4b9e-0000-4000-8000-000000000001.` } });
const answer = (status: number, text: string, headers: Record<string, string> = {}) =>
  bcFailure(status, text, new Headers(headers), { what: 'POST journals', now });

describe("classifying Business Central's answers by their code", () => {
  it('reads the code and message of BC error document, and nothing from anything else', () => {
    expect(readBcError(bcText('BadRequest_NotFound', 'gone'))).toEqual({
      code: 'BadRequest_NotFound',
      message: 'gone  CorrelationId:  1f0e4b9e-0000-4000-8000-000000000001.',
    });
    for (const text of ['<html><body>502</body></html>', '{"error":{"code":"Bad', '', '{"value":[]}', 'null'])
      expect(readBcError(text)).toBeUndefined();
  });

  it('decides by the code whatever the status it comes with', () => {
    const cases: Array<[string, number, string]> = [
      ['Application_TooManyRequests', 429, 'throttled'],
      ['Request_EntityChanged', 409, 'unavailable'],
      ['Request_EntityChanged', 412, 'unavailable'],
      ['Internal_EntityWithSameKeyExists', 400, 'unavailable'],
      ['Internal_EntityWithSameKeyExists', 409, 'unavailable'],
      ['Internal_TenantUnavailable', 503, 'unavailable'],
      ['Internal_CompanyNotFound', 404, 'auth'],
      ['Authentication_InvalidCredentials', 401, 'auth'],
      ['Authorization_InsufficientPermissions', 403, 'auth'],
      ['BadRequest', 400, 'invalid'],
      ['BadRequest_InvalidToken', 400, 'invalid'],
      ['BadRequest_NotFound', 404, 'invalid'],
      ['Application_DialogException', 400, 'invalid'],
      ['Application_FieldValidationException', 400, 'invalid'],
      ['Application_StringExceededLength', 400, 'invalid'],
      ['Internal_RecordNotFound', 400, 'invalid'],
      ['Internal_InvalidTableRelation', 400, 'invalid'],
      ['Internal_ServerError', 500, 'unknown_outcome'],
      ['Internal_ServerError', 409, 'unknown_outcome'],
    ];
    for (const [code, status, expected] of cases)
      expect([code, status, classOfCode(code, status)]).toEqual([code, status, expected]);
  });

  it('reads a deadlock back first, whichever code and status it wears', () => {
    const text = 'The transaction was deadlocked with another process. Please retry.';
    expect(classOfCode('Application_DialogException', 400, text)).toBe('unknown_outcome');
    expect(answer(409, bcText('Internal_ServerError', text)).failureClass).toBe('unknown_outcome');
  });

  it('falls back on the status for an unknown code, keeping the code and saying so', () => {
    const failure = answer(400, bcText('Weird_Thing', 'no idea'));
    expect(failure).toMatchObject({ failureClass: 'invalid', detail: { status: 400, code: 'Weird_Thing' } });
    expect(failure.message).toContain('a code this connector does not know');
    expect(answer(409, bcText('Weird_Thing')).failureClass).toBe('unavailable');
    expect(answer(503, bcText('Weird_Thing')).failureClass).toBe('unknown_outcome');
  });

  it('classifies an HTML page or a truncated body by its status, keeping the text whole', () => {
    const html = '<!DOCTYPE html><html><body><h1>Bad Gateway</h1></body></html>';
    const gateway = answer(502, html);
    expect(gateway).toMatchObject({ failureClass: 'unknown_outcome', detail: { targetText: html, status: 502 } });
    expect(gateway.message).toContain("not Business Central's error document");
    expect(answer(400, '{"error":{"code":"BadRequ').failureClass).toBe('invalid');
    expect(answer(408, '').failureClass).toBe('unknown_outcome');
    expect(answer(429, '', { 'retry-after': '7' })).toMatchObject({
      failureClass: 'throttled',
      detail: { retryAfterMs: 7000 },
    });
  });

  it('keeps the Retry-After of a 429 and the code of every refusal', () => {
    const failure = answer(429, bcText('Application_TooManyRequests', 'Too many requests reached.'), {
      'retry-after': '3',
    });
    expect(failure.detail).toMatchObject({ code: 'Application_TooManyRequests', retryAfterMs: 3000, status: 429 });
  });

  it("classifies the token endpoint's refusals as auth, its outages as unavailable, keeping Entra's AADSTS code", () => {
    const refused = JSON.stringify({
      error: 'invalid_client',
      error_description: 'AADSTS7000215: Invalid client secret provided.',
      error_codes: [7000215],
    });
    expect(tokenFailure(401, refused, new Headers(), now, 'POST token')).toMatchObject({
      failureClass: 'auth',
      detail: { code: 'AADSTS7000215', status: 401, targetText: refused },
    });
    expect(tokenFailure(503, '<html/>', new Headers(), now, 'POST token').failureClass).toBe('unavailable');
    expect(tokenFailure(429, '', new Headers(), now, 'POST token').failureClass).toBe('throttled');
  });
});
