import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

// Business Central's error document, `{"error":{"code":"<Category>_<Name>","message":"..."}}`, with the
// message ending as BC ends it, in "  CorrelationId:  <guid>.". The categories (BadRequest_,
// Authentication_, Authorization_, Internal_, Application_, Request_) and the codes below are those of
// Microsoft's "Troubleshooting REST API/OData calls" table; a client must read the code, since the same
// code comes with different statuses (a duplicate key as 400 or 409, a changed record as 409 or 412).

export class BcError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'BcError';
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: `${this.message}  CorrelationId:  ${randomUUID()}.` } };
  }
}

/** An AL `Error(...)` raised by the page or the posting code: 400 `Application_DialogException`. */
export const dialog = (message: string) => new BcError(400, 'Application_DialogException', message);

/** A malformed request or body, as the OData layer refuses it. */
export const badRequest = (message: string, code = 'BadRequest') => new BcError(400, code, message);

export const notFound = (what: string) =>
  new BcError(404, 'BadRequest_NotFound', `The ${what} does not exist. Identification fields and values: ...`);

export function duplicateKey(status: 400 | 409, table: string, key: string): BcError {
  return new BcError(
    status,
    'Internal_EntityWithSameKeyExists',
    `The ${table} already exists. Identification fields and values: ${key}`,
  );
}

/** A stale `If-Match`: Request_EntityChanged, which BC answers as 409 on some pages and 412 on others. */
export const entityChanged = (status: 409 | 412) =>
  new BcError(status, 'Request_EntityChanged', 'Another user has already changed the record.');

export const missingEtag = () =>
  new BcError(
    400,
    'BadRequest_InvalidToken',
    'Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.',
  );

export const invalidCredentials = () =>
  new BcError(401, 'Authentication_InvalidCredentials', 'The server has rejected the client credentials.');

export const JSON_CONTENT_TYPE = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';
export const ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendBcError(response: ServerResponse, error: BcError): void {
  sendJson(response, error.status, error.body(), { 'content-type': ERROR_CONTENT_TYPE, ...error.headers });
}

export function sendHtml(response: ServerResponse, status: number, title: string, text: string): void {
  const html = `<!DOCTYPE html><html><head><title>${status} - ${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  response.end(html);
}
