import type { ServerResponse } from 'node:http';

// How the pod answers what it refuses. The REST framework's errors are
// `{"title","status","o:errorDetails":[{"detail","o:errorCode"}]}` as application/vnd.oracle.adf.error+json;
// what sits in front of it (the sign-in layer, the load balancer, the maintenance window) answers HTML.

export const ERROR_CONTENT_TYPE = 'application/vnd.oracle.adf.error+json';
export const ITEM_CONTENT_TYPE = 'application/vnd.oracle.adf.resourceitem+json';
export const COLLECTION_CONTENT_TYPE = 'application/vnd.oracle.adf.resourcecollection+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export class OracleError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'OracleError';
  }

  body(): Record<string, unknown> {
    return {
      title: TITLES[this.status] ?? 'Error',
      status: String(this.status),
      'o:errorDetails': [{ detail: this.detail, 'o:errorCode': this.code }],
    };
  }
}

export const badRequest = (detail: string, code = '27023') => new OracleError(400, code, detail);

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendOracleError(
  response: ServerResponse,
  error: OracleError,
  headers: Record<string, string> = {},
): void {
  sendJson(response, error.status, error.body(), ERROR_CONTENT_TYPE, headers);
}

export function sendHtml(response: ServerResponse, status: number, title: string, text: string, headers = {}): void {
  const html = `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
  response.writeHead(status, {
    'content-type': 'text/html; charset=UTF-8',
    'content-length': Buffer.byteLength(html),
    ...headers,
  });
  response.end(html);
}

/** The pod during an outage or its maintenance window. */
export function sendMaintenance(response: ServerResponse): void {
  sendHtml(
    response,
    503,
    'Service Unavailable',
    'Oracle Fusion Cloud Applications is currently unavailable for scheduled maintenance. Please try again later.',
  );
}

/** Basic authentication refused: the credentials, or every login while refuseLogins lasts. */
export function sendUnauthorized(response: ServerResponse): void {
  sendHtml(response, 401, '401 Unauthorized', 'This request requires HTTP authentication.', {
    'www-authenticate': 'Basic realm="Oracle Fusion Applications"',
  });
}

/** One of 500 (the REST framework's JSON), 502, 503 or 504 (HTML from the gateway), picked by `random`. */
export function sendInjectedError(response: ServerResponse, random: () => number): void {
  const pick = Math.floor(random() * 4);
  if (pick === 0)
    return sendOracleError(
      response,
      new OracleError(500, 'UNEXPECTED', 'An unexpected error occurred (emulator-injected).'),
    );
  if (pick === 1) return sendHtml(response, 502, '502 Bad Gateway', 'The gateway received an invalid response.');
  if (pick === 2) return sendMaintenance(response);
  sendHtml(response, 504, '504 Gateway Time-out', 'The gateway did not receive a timely response.');
}
