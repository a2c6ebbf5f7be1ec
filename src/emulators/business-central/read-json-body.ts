import type { IncomingMessage } from 'node:http';
import { nonUtf8Charset } from '../../platform/utf8.js';
import { readBodyBytes } from '../common/read-body-bytes.js';
import { parseStrictJson, type JsonProblem } from '../common/strict-json.js';
import { badRequest, BcError } from './bc-error.js';

// Every body the emulator reads goes through here, so hostile input gets one precise 4xx in BC's error
// shape and never reaches a handler: oversized (413), another media type (415), not UTF-8, not JSON,
// NUL, lone surrogates, nesting past 64 levels, a property given twice (JSON.parse would keep the
// last), numbers JSON cannot carry exactly (400). OData's reader refuses the same things.

/** The body's bytes; throws 413 once past `maxBytes` (after draining, so the client reads the answer). */
export async function readBytes(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const bytes = await readBodyBytes(request, maxBytes);
  if (bytes === undefined)
    throw new BcError(
      413,
      'BadRequest_RequestTooLarge',
      `The request body is larger than the maximum of ${maxBytes} bytes.`,
    );
  return bytes;
}

function checkMediaType(contentType: string | undefined): void {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    throw new BcError(
      415,
      'BadRequest_UnsupportedMediaType',
      `The content type '${type}' is not supported; send application/json.`,
    );
  const charset = nonUtf8Charset(contentType);
  if (charset !== undefined)
    throw new BcError(415, 'BadRequest_UnsupportedMediaType', `Only UTF-8 is supported, not ${charset}.`);
}

/** What BC's OData reader says after "Invalid Request Body: ". */
function describe(problem: JsonProblem): string {
  switch (problem.kind) {
    case 'empty':
      return 'the body is empty.';
    case 'notUtf8':
      return 'the body is not valid UTF-8.';
    case 'syntax':
      return problem.message;
    case 'duplicate':
      return `the property at '${problem.path}' is given more than once.`;
    default:
      return `the value at '${problem.path}' ${problem.message}.`;
  }
}

/** The parsed JSON body of a request, or a BcError naming its first problem. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  checkMediaType(request.headers['content-type']);
  const parsed = parseStrictJson(await readBytes(request, maxBytes));
  if ('problem' in parsed) throw badRequest(`Invalid Request Body: ${describe(parsed.problem)}`);
  return parsed.value;
}
