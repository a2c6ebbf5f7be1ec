import { expect } from 'vitest';
import { operationName, type ApiOperation } from '../harness/openapi-operations.js';
import { rowCounts } from '../harness/row-counts.js';
import type { TestApp } from '../harness/test-app.js';
import type { HostileRequest } from './hostile-requests.js';

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

let previous = '(none)';

/** Sends a hostile request as given; undefined when fetch itself refuses to send it (an invalid header value). */
export async function send(t: TestApp, request: HostileRequest): Promise<Answer | undefined> {
  const headers = new Headers();
  try {
    for (const [name, value] of Object.entries(request.headers)) headers.set(name, value);
    if (request.contentType !== null) headers.set('content-type', request.contentType);
    if (request.credential.kind === 'admin') headers.set('authorization', `Bearer ${t.adminKey}`);
    if (request.credential.kind === 'header') headers.set('authorization', request.credential.authorization);
  } catch {
    return undefined;
  }
  let response: Response;
  try {
    response = await fetch(`${t.baseUrl}${request.url}`, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
    });
  } catch (error) {
    const cause = (error as Error).cause as (Error & { code?: string }) | undefined;
    // undici checks header values more strictly than Headers does: such a request is never sent.
    if (cause?.code === 'UND_ERR_INVALID_ARG') return undefined;
    throw new Error(
      `${request.method} ${request.url.slice(0, 100)} got no answer (${cause?.message ?? ''}); the request before was ${previous}`,
      { cause: error },
    );
  } finally {
    previous = `${request.method} ${request.url.slice(0, 100)} ${request.contentType} ${typeof request.body === 'string' ? request.body.slice(0, 100) : 'bytes'} (${request.body?.length ?? 0} long)`;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

/** The operation a request reached, if any: the same method on a path the template matches. */
function reached(
  operations: readonly ApiOperation[],
  request: HostileRequest,
  fallback: ApiOperation,
): ApiOperation | undefined {
  if (request.method === fallback.method) return fallback;
  return operations.find((operation) => operation.method === request.method && operation.path === fallback.path);
}

/**
 * What every answer to a hostile request must be: never a 5xx; a 4xx is a problem document, or the body
 * the operation documents for that status (the Lago shape, the events outcome); and a refused request
 * stores nothing, in any table.
 */
export async function expectRefusedCleanly(
  t: TestApp,
  operations: readonly ApiOperation[],
  operation: ApiOperation,
  request: HostileRequest,
): Promise<Answer | undefined> {
  const before = await rowCounts(t.app.db);
  const answer = await send(t, request);
  if (answer === undefined) return undefined;
  const where = `${request.method} ${request.url.slice(0, 200)} (${operationName(operation)}) answered ${answer.status} ${answer.body.slice(0, 300)}`;
  expect(answer.status, where).toBeLessThan(500);
  if (answer.status < 400) return answer;
  expect(await rowCounts(t.app.db), `${where}: a refused request changed stored rows`).toEqual(before);
  if (request.method === 'HEAD') return answer;
  const mediaType = answer.contentType.split(';')[0]?.trim() ?? '';
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  if (mediaType === 'application/problem+json') {
    expect(body, where).toMatchObject({
      status: answer.status,
      type: expect.stringMatching(/^urn:meterbridge:problem:[a-z-]+$/),
      title: expect.any(String),
      detail: expect.any(String),
    });
    return answer;
  }
  const documented = reached(operations, request, operation)?.responseSchemas[String(answer.status)]?.[mediaType];
  expect(
    documented,
    `${where}: a ${answer.status} in ${mediaType || 'no media type'} is neither a problem nor documented`,
  ).toBeDefined();
  for (const key of (documented as { required?: string[] }).required ?? []) expect(body, where).toHaveProperty(key);
  return answer;
}
