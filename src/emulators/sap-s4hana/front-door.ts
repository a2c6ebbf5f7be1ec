import type { FaultSettings } from './emulator-options.js';
import { AdmissionLimits, perSecond } from '../common/admission-limits.js';

// What stands in front of the tenant and answers before SAP does: the web dispatcher's pages for an
// outage (503), a gateway error (502, 504) and a rate limit (429; SAP publishes no rate limit and no shape
// for one, so its Retry-After is a setting), the ICF's 401 for a login it refuses, and the limits
// themselves (requests at once, requests per sliding second). None of these answers is XML or JSON: a
// client must classify them by status.

export interface Page {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function html(status: number, title: string, text: string, headers: Record<string, string> = {}): Page {
  const body = `<html><head><title>${title}</title></head><body><h2>${status} ${title}</h2><p>${text}</p><hr/><p>SAP Web Dispatcher (emulated)</p></body></html>`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...headers }, body };
}

export const unavailablePage = () =>
  html(
    503,
    'Service Unavailable',
    'Service is not available. The system may be down for maintenance; try again later.',
  );

export const badGatewayPage = () =>
  html(502, 'Bad Gateway', 'The web dispatcher received no valid answer from the application server.');

export const gatewayTimeoutPage = () => html(504, 'Gateway Timeout', 'The application server did not answer in time.');

export function throttledPage(faults: FaultSettings, on: 'concurrency' | 'rate'): Page {
  const retry: Record<string, string> =
    faults.retryAfterSeconds === undefined ? {} : { 'retry-after': String(faults.retryAfterSeconds) };
  const what = on === 'rate' ? 'requests per second' : 'requests at once';
  return html(429, 'Too Many Requests', `The communication user sends more ${what} than the tenant accepts.`, retry);
}

export const unauthorizedPage = () =>
  html(401, 'Unauthorized', 'Logon failed: the user or password is not correct, or the user is locked.', {
    'www-authenticate': 'Basic realm="SAP NetWeaver Application Server [EMU/100]"',
  });

class Throttled extends Error {
  constructor(readonly on: 'concurrency' | 'rate') {
    super(`over the ${on} limit`);
  }
}

/** The tenant's limits; the web dispatcher answers a refusal with a page rather than an error. */
export class RequestLimits extends AdmissionLimits {
  constructor(faults: () => FaultSettings, now: () => number) {
    super(
      // No concurrency setting means no limit on requests at once.
      () => perSecond({ ...faults(), concurrency: faults().concurrency ?? Infinity }),
      now,
      { concurrency: () => new Throttled('concurrency'), rate: () => new Throttled('rate') },
    );
  }

  /** A release to call once when admitted, or which limit refused the request. */
  tryAdmit(): { release: () => void } | { refused: 'concurrency' | 'rate' } {
    try {
      return { release: this.admit() };
    } catch (error) {
      if (error instanceof Throttled) return { refused: error.on };
      throw error;
    }
  }
}
