import type { ServerResponse } from 'node:http';

// NetSuite's REST error document: RFC 2616 section links as `type`, the reason phrase as `title`, and
// one or more details, each with an error code and, for a field, the path of the field in the body
// (`line.items[0].account`). Every refusal of the emulator's /services/rest tree uses this one shape,
// so a client that parses NetSuite's errors parses the emulator's.

export interface NetSuiteErrorDetail {
  detail: string;
  'o:errorCode': string;
  'o:errorPath'?: string;
}

const TYPES: Readonly<Record<number, [type: string, title: string]>> = {
  400: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1', 'Bad Request'],
  401: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.2', 'Unauthorized'],
  403: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.4', 'Forbidden'],
  404: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.5', 'Not Found'],
  405: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.6', 'Method Not Allowed'],
  413: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.14', 'Request Entity Too Large'],
  415: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.16', 'Unsupported Media Type'],
  429: ['https://tools.ietf.org/html/rfc6585#section-4', 'Too Many Requests'],
  500: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.1', 'Internal Server Error'],
  503: ['https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.5.4', 'Service Unavailable'],
};

/** A refusal in NetSuite's shape; thrown by handlers, written by the dispatcher. */
export class NetSuiteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly path?: string,
  ) {
    super(detail);
    this.name = 'NetSuiteError';
  }

  body(): Record<string, unknown> {
    const [type, title] = TYPES[this.status] ?? TYPES[400]!;
    const detail: NetSuiteErrorDetail = { detail: this.message, 'o:errorCode': this.code };
    if (this.path !== undefined) detail['o:errorPath'] = this.path;
    return { type, title, status: this.status, 'o:errorDetails': [detail] };
  }
}

/** NetSuite prefixes a body's field problems with this sentence. */
export function invalidContent(detail: string, path?: string): NetSuiteError {
  return new NetSuiteError(400, 'INVALID_CONTENT', `Error while accessing a resource. ${detail}`, path);
}

export function invalidLogin(): NetSuiteError {
  return new NetSuiteError(
    401,
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
  );
}

export function recordNotFound(type: string, key: string): NetSuiteError {
  return new NetSuiteError(
    404,
    'NONEXISTENT_ID',
    `The record instance does not exist. Provide a valid record instance ID. (${type} ${key})`,
  );
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export const ERROR_CONTENT_TYPE = 'application/vnd.oracle.resource+json; type=error; charset=UTF-8';

export function sendNetSuiteError(response: ServerResponse, error: NetSuiteError): void {
  sendJson(response, error.status, error.body(), { 'content-type': ERROR_CONTENT_TYPE });
}
