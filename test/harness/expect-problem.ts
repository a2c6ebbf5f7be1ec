import { expect } from 'vitest';
import { readJson, type Json } from './read-json.js';

/** Asserts an RFC 9457 problem response with our content type, type URN and a matching detail. */
export async function expectProblem(response: Response, status: number, detail: RegExp): Promise<Json> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = await readJson(response);
  expect(body).toMatchObject({
    status,
    type: expect.stringMatching(/^urn:meterbridge:problem:/),
    title: expect.any(String),
  });
  expect(body.detail).toMatch(detail);
  return body;
}
