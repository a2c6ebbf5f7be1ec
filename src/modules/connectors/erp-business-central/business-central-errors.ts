import type { DeliveryFailure, FailureClass } from '../connector.js';
import { responseFailure, statusClass } from '../http-failure.js';

// Business Central's answers as failure classes, decided by the error code of BC's document
// `{"error":{"code":"<Category>_<Name>","message":"..."}}`, never by the status alone: BC answers the same
// code with different statuses (a duplicate key as 400 or 409, a changed record as 409 or 412, a deadlock
// as 409 Internal_ServerError or 400 Application_DialogException). The status decides only for an answer
// without a code (an HTML page from a gateway, a truncated body) or with a code of a category this
// connector does not know; the code, the path and the whole text are kept on the failure either way.

export interface BcErrorDetail {
  code?: string;
  message?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** BC's error document, or undefined when the text is not one (HTML, truncated JSON, nothing). */
export function readBcError(text: string): BcErrorDetail | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = isObject(parsed) ? parsed.error : undefined;
  if (!isObject(error)) return undefined;
  const detail = { code: nonEmpty(error.code), message: nonEmpty(error.message) };
  return detail.code === undefined && detail.message === undefined ? undefined : detail;
}

/** What a status means when BC says nothing more: a 408 (a long operation cut off) may have been done. */
function byStatus(status: number): FailureClass {
  return status === 408 ? 'unknown_outcome' : statusClass(status);
}

/**
 * The class of a code. Microsoft's categories: BadRequest_ (fix the request), Authentication_ and
 * Authorization_ (other credentials or permissions), Internal_ (retry; or a data problem), Application_
 * (application logic: send other data). Within them, the codes that ask for something else.
 */
export function classOfCode(code: string | undefined, status: number, message = ''): FailureClass {
  if (code === undefined) return byStatus(status);
  // A SQL deadlock can come back as a 409 Internal_ServerError or a 400 dialog: the write may or may not
  // have been applied, so it is read back first.
  if (/deadlock/i.test(message)) return 'unknown_outcome';
  if (code === 'Application_TooManyRequests') return 'throttled';
  // Someone changed the record since it was read, or it exists already (an earlier, lost answer): the next
  // attempt reads again and carries on from what BC holds.
  if (code === 'Request_EntityChanged' || code === 'Internal_EntityWithSameKeyExists') return 'unavailable';
  if (code === 'Internal_TenantUnavailable') return 'unavailable';
  // The target's companyId names no company of the environment: its settings must be fixed.
  if (code === 'Internal_CompanyNotFound') return 'auth';
  if (code.startsWith('Authentication_') || code.startsWith('Authorization_')) return 'auth';
  if (code === 'BadRequest' || code.startsWith('BadRequest_')) return 'invalid';
  if (code.startsWith('Application_')) return 'invalid';
  if (code.startsWith('Internal_'))
    return status >= 500 || code === 'Internal_ServerError' ? 'unknown_outcome' : 'invalid';
  return byStatus(status);
}

/** The categories Microsoft documents; a code outside them is classified by its status. */
const KNOWN_CATEGORY = /^(BadRequest(_|$)|Authentication_|Authorization_|Internal_|Application_|Request_)/;

export interface AnswerContext {
  /** `POST journals(...)/journalLines`: what was asked, for the message. */
  what: string;
  now: Date;
}

/** A non-2xx answer of the API as a classified failure. */
export function bcFailure(status: number, text: string, headers: Headers, context: AnswerContext): DeliveryFailure {
  const error = readBcError(text);
  const failureClass = classOfCode(error?.code, status, error?.message);
  const known = error?.code === undefined || KNOWN_CATEGORY.test(error.code);
  const said = error
    ? `${error.code ?? 'an error without a code'}${known ? '' : ' (a code this connector does not know: classified by status)'}${error.message ? `: ${error.message}` : ''}`
    : text.trim() === ''
      ? 'with no body'
      : "with a body that is not Business Central's error document";
  return responseFailure(status, text, headers, context.now, {
    failureClass,
    code: error?.code,
    message: `${context.what}: Business Central answered ${status} ${said}`,
  });
}

/**
 * The token endpoint's refusals. Nothing was posted, so no failure here is an unknown outcome: a 5xx or a
 * lost answer is `unavailable`, a 429 `throttled`, any other 4xx (Entra's invalid_client, unauthorized_client,
 * invalid_scope: a wrong secret, client id, tenant or scope) `auth`. Entra's AADSTS code is kept.
 */
export function tokenFailure(status: number, text: string, headers: Headers, now: Date, what: string): DeliveryFailure {
  let error: string | undefined;
  let description: string | undefined;
  let aadsts: string | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) {
      error = nonEmpty(parsed.error);
      description = nonEmpty(parsed.error_description);
      const codes = parsed.error_codes;
      if (Array.isArray(codes) && typeof codes[0] === 'number') aadsts = `AADSTS${codes[0]}`;
    }
  } catch {
    // Not Entra's error document: the status decides.
  }
  const failureClass: FailureClass = status === 429 ? 'throttled' : status >= 500 ? 'unavailable' : 'auth';
  return responseFailure(status, text, headers, now, {
    failureClass,
    code: aadsts ?? error,
    message: `${what}: the token endpoint answered ${status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}`,
  });
}
