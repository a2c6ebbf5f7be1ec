import type { ServerResponse } from 'node:http';
import { BcError, sendBcError, sendHtml } from './bc-error.js';

// What a failing Business Central looks like from outside: a 500 in BC's own error document from the
// service tier, or a 502 / 503 / 504 HTML page from the gateways in front of it. A client must treat
// them all as outcomes it does not know and must not expect JSON from a 5xx.

/** One of 500 (JSON), 502, 503, 504 (HTML), picked by `random`. */
export function sendInjectedError(response: ServerResponse, random: () => number): void {
  const pick = Math.floor(random() * 4);
  if (pick === 0)
    sendBcError(
      response,
      new BcError(500, 'Internal_ServerError', 'An unexpected error occurred on the server (emulator-injected).'),
    );
  else if (pick === 1) sendHtml(response, 502, 'Bad Gateway', 'The gateway received an invalid response.');
  else if (pick === 2) sendHtml(response, 503, 'Service Unavailable', 'The service is temporarily unavailable.');
  else sendHtml(response, 504, 'Gateway Timeout', 'The gateway did not receive a response in time.');
}

/** The outage answer: the environment is not accessible (an update, a restart). */
export function tenantUnavailable(tenant: string): BcError {
  return new BcError(503, 'Internal_TenantUnavailable', `The tenant '${tenant}' is not accessible.`);
}
