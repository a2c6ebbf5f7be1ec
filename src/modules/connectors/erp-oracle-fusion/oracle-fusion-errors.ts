import { DeliveryFailure, type FailureClass } from '../connector.js';
import { responseFailure, transportFailure } from '../http-failure.js';

// Oracle Fusion's answers as failure classes. The REST framework's error document is
// `{"title","status","o:errorDetails":[{"detail","o:errorCode"}]}` (application/vnd.oracle.adf.error+json);
// older resources answer plain text, and the pod's gateway and maintenance pages are HTML. The whole text
// is kept whatever it is. What a status means depends on the request: a read (a status, a batch look-up,
// a job log) changes nothing, so none of its failures can leave an unknown outcome; an upload may have
// started an import whenever its answer is lost.

/** What was asked: a `read` changes nothing; an `upload` (importBulkData) may start an import. */
export type RequestKind = 'read' | 'upload';

export interface OracleErrorDetail {
  code?: string;
  detail?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** The first detail of the REST framework's error document, or undefined when the text is not one. */
export function readOracleError(text: string): OracleErrorDetail | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  const details = parsed['o:errorDetails'];
  const first = Array.isArray(details) ? details.find(isObject) : undefined;
  const title = nonEmpty(parsed.title) ?? nonEmpty(parsed.detail);
  if (!first) return title ? { detail: title } : undefined;
  return { code: nonEmpty(first['o:errorCode']), detail: nonEmpty(first.detail) ?? title };
}

/** How a page that is not JSON reads in a message: its title, else its first words. */
export function describeBody(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return 'with no body';
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
  if (title) return `with an HTML page "${title.slice(0, 120)}"`;
  if (trimmed.startsWith('<')) return 'with an HTML page';
  return `: ${trimmed.slice(0, 200)}`;
}

/**
 * The class of a non-2xx status. 503 means the pod did not take the request (a maintenance window, an
 * overloaded gateway): nothing started. Another 5xx to an upload may come after the import was
 * started (a gateway timing out in front of it), so it is read back first. A 3xx is the pod's sign-in
 * redirect: basic authentication was not accepted for the user.
 */
function statusClassFor(kind: RequestKind, status: number): FailureClass {
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403 || (status >= 300 && status < 400)) return 'auth';
  if (status >= 500) return kind === 'read' || status === 503 ? 'unavailable' : 'unknown_outcome';
  if (status === 408) return kind === 'read' ? 'unavailable' : 'unknown_outcome';
  return 'invalid';
}

/**
 * What a 429 says Oracle limits, when its detail says: a request rate ("rate limit") or requests at once
 * ("concurrent"). Oracle documents the 429 but not its wording, so this reads the words only; a 429
 * that names neither lowers both (the outbox's policy).
 */
function throttledOn(detail: string | undefined): 'rate' | 'concurrency' | undefined {
  if (detail === undefined) return undefined;
  if (/\bconcurren/i.test(detail)) return 'concurrency';
  if (/\brate\b/i.test(detail)) return 'rate';
  return undefined;
}

/** A non-2xx answer as a classified failure, with Oracle's whole text. */
export function oracleFailure(
  kind: RequestKind,
  what: string,
  status: number,
  text: string,
  headers: Headers,
  now: Date,
): DeliveryFailure {
  const error = readOracleError(text);
  const said = error
    ? `${error.code ? `${error.code}: ` : ''}${error.detail ?? ''}`
    : status >= 300 && status < 400
      ? `a redirect to ${headers.get('location') ?? 'nowhere'}`
      : describeBody(text);
  return responseFailure(status, text, headers, now, {
    failureClass: statusClassFor(kind, status),
    throttledOn: throttledOn(error?.detail),
    code: error?.code,
    message: `${what}: Oracle answered ${status} ${said}`.replace(/ :/, ':'),
  });
}

/** A request that got no answer: a read changed nothing, so it is never an unknown outcome. */
export function oracleTransportFailure(kind: RequestKind, error: unknown, what: string): DeliveryFailure {
  const failure = transportFailure(error, what);
  return kind === 'read' && failure.failureClass === 'unknown_outcome'
    ? new DeliveryFailure('unavailable', failure.message, failure.detail)
    : failure;
}

/** A 2xx that is not what Oracle sends: an upload's may have started an import; a read's changed nothing. */
export function unexpectedAnswer(kind: RequestKind, what: string, status: number, text: string): DeliveryFailure {
  return new DeliveryFailure(
    kind === 'upload' ? 'unknown_outcome' : 'unavailable',
    `${what}: Oracle answered ${status} ${describeBody(text).replace(/^: /, 'with ')}, not the resource's JSON`,
    { targetText: text, status },
  );
}
