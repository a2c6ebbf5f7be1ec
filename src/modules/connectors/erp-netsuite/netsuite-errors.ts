import type { DeliveryFailure, FailureClass, FailureDetail } from '../connector.js';
import { responseFailure } from '../http-failure.js';

// NetSuite's answers as failure classes. NetSuite's error document is
// `{"type","title","status","o:errorDetails":[{"detail","o:errorCode","o:errorPath"}]}`; its code and
// path are kept on the failure, and its whole text always (a 5xx from a proxy is an HTML page: it is
// classified by status and kept as it came). The status decides through http-failure.ts, except where
// NetSuite's code says more.

export interface NetSuiteErrorDetail {
  code?: string;
  path?: string;
  detail?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The first detail of NetSuite's error document, or undefined when the text is not one. */
export function readNetSuiteError(text: string): NetSuiteErrorDetail | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const details = parsed['o:errorDetails'];
  const first = Array.isArray(details) ? details.find(isObject) : undefined;
  const title = nonEmpty(parsed.title);
  if (!first) return title ? { detail: title } : undefined;
  return {
    code: nonEmpty(first['o:errorCode']),
    path: nonEmpty(first['o:errorPath']),
    detail: nonEmpty(first.detail) ?? title,
  };
}

/**
 * The account's governance refusing a request: wait and retry, at a lower concurrency when the account's
 * concurrency limit was hit, at a lower rate when its request-frequency limit was.
 */
const THROTTLE_CODES = new Map<string, FailureDetail['throttledOn']>([
  ['CONCURRENCY_LIMIT_EXCEEDED', 'concurrency'],
  ['REQUEST_LIMIT_EXCEEDED', 'rate'],
  ['SSS_REQUEST_LIMIT_EXCEEDED', 'rate'],
]);

/**
 * How long after a 429 a 401 is taken for throttling: NetSuite has been seen answering "Invalid login
 * attempt" after about a minute while the account's concurrency limit was saturated.
 */
export const LOGIN_UNDER_LOAD_MS = 120_000;

export interface AnswerContext {
  /** `PUT record/v1/journalEntry/eid:J-...`: what was asked, for the message. */
  what: string;
  now: Date;
  /** The account answered 429 within LOGIN_UNDER_LOAD_MS. */
  recentlyThrottled: boolean;
}

/** A non-2xx answer of the REST web services as a classified failure. */
export function netsuiteFailure(
  status: number,
  text: string,
  headers: Headers,
  context: AnswerContext,
): DeliveryFailure {
  const error = readNetSuiteError(text);
  let failureClass: FailureClass | undefined;
  let note = '';
  if (error?.code !== undefined && THROTTLE_CODES.has(error.code)) failureClass = 'throttled';
  if (status === 401 && context.recentlyThrottled) {
    failureClass = 'throttled';
    note = ' (taken as throttling: the account answered 429 moments ago, and NetSuite answers 401 under load)';
  }
  const said = error
    ? `${error.code ?? 'an error'}${error.path ? ` at ${error.path}` : ''}${error.detail ? `: ${error.detail}` : ''}`
    : text.trim() === ''
      ? 'with no body'
      : "with a body that is not NetSuite's error document";
  return responseFailure(status, text, headers, context.now, {
    failureClass,
    code: error?.code,
    path: error?.path,
    throttledOn: error?.code === undefined ? undefined : THROTTLE_CODES.get(error.code),
    message: `${context.what}: NetSuite answered ${status} ${said}${note}`,
  });
}

/**
 * The token endpoint's refusals. Nothing was posted, so no failure here is an unknown outcome: a 5xx or
 * a lost answer is `unavailable`, a 429 `throttled`, and any other 4xx (OAuth's `invalid_grant`: wrong
 * key, certificate id, client id or token URL) `auth`.
 */
export function tokenFailure(status: number, text: string, headers: Headers, now: Date, what: string): DeliveryFailure {
  let code: string | undefined;
  let description: string | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed)) {
      code = nonEmpty(parsed.error);
      description = nonEmpty(parsed.error_description);
    }
  } catch {
    // Not OAuth's error document: the status decides.
  }
  const failureClass: FailureClass = status === 429 ? 'throttled' : status >= 500 ? 'unavailable' : 'auth';
  return responseFailure(status, text, headers, now, {
    failureClass,
    code,
    message: `${what}: the token endpoint answered ${status}${code ? ` ${code}` : ''}${description ? `: ${description}` : ''}`,
  });
}
