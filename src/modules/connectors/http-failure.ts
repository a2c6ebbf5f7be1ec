import { DeliveryFailure, type FailureClass, type FailureDetail } from './connector.js';
import { retryAfterMs } from './retry-after.js';

// How a request that got no HTTP answer failed, told apart by whether it can have reached the target:
// a refused or unresolvable connection sent nothing (safe to send again); a timeout or a connection
// reset after sending may have been acted on (read back before sending again).
const NOTHING_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/** A transport error (fetch threw) as a classified failure. */
export function transportFailure(error: unknown, what: string): DeliveryFailure {
  const code = causeCode(error);
  const text = error instanceof Error ? `${error.name}: ${error.message}${code ? ` (${code})` : ''}` : String(error);
  if (code && NOTHING_SENT.has(code))
    return new DeliveryFailure('unavailable', `${what}: ${text}`, { targetText: text, code });
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  return new DeliveryFailure('unknown_outcome', `${what}: ${timedOut ? 'no answer in time' : text}`, {
    targetText: text,
    code,
  });
}

/** The class an HTTP status means when the target says nothing more precise. */
export function statusClass(status: number): FailureClass {
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408 || status === 409) return 'unavailable';
  // A 5xx may come after the target acted (a gateway timing out in front of it): read back first.
  if (status >= 500) return 'unknown_outcome';
  return 'invalid';
}

/** A non-2xx answer as a classified failure, with the target's whole text and its Retry-After. */
export function responseFailure(
  status: number,
  text: string,
  headers: Headers,
  now: Date,
  refine: Pick<FailureDetail, 'code' | 'path' | 'throttledOn'> & { failureClass?: FailureClass; message?: string } = {},
): DeliveryFailure {
  const failureClass = refine.failureClass ?? statusClass(status);
  return new DeliveryFailure(failureClass, refine.message ?? `the target answered ${status}`, {
    targetText: text,
    status,
    code: refine.code,
    path: refine.path,
    retryAfterMs: retryAfterMs(headers.get('retry-after'), now),
    ...(failureClass === 'throttled' && refine.throttledOn ? { throttledOn: refine.throttledOn } : {}),
  });
}
