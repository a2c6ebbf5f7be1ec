import type { IncomingMessage } from 'node:http';
import { invalidLogin } from './netsuite-error.js';
import type { TbaVerifier } from './tba-verify.js';
import type { TokenIssuer } from './token-endpoint.js';

// Every record, query and system request carries either a bearer token from the token endpoint or a
// TBA signature. Any failure is the one 401 INVALID_LOGIN NetSuite answers, whatever the reason: the
// reason is kept for the emulator's own log (`onRefused`), never told to the client.

export function authenticate(
  request: IncomingMessage,
  url: string,
  tokens: TokenIssuer,
  tba: TbaVerifier,
  onRefused: (reason: string) => void,
  refusingLogins = false,
): void {
  const header = request.headers.authorization ?? '';
  let reason: string | undefined;
  if (refusingLogins) {
    reason = 'logins refused by the refuseLogins fault';
  } else if (/^Bearer\s/i.test(header)) {
    reason = tokens.accepts(header.replace(/^Bearer\s+/i, '').trim()) ? undefined : 'unknown or expired bearer token';
  } else if (/^OAuth\s/i.test(header)) {
    reason = tba.verify(header, request.method ?? 'GET', url);
  } else {
    reason = 'no Authorization header';
  }
  if (reason !== undefined) {
    onRefused(reason);
    throw invalidLogin();
  }
}
