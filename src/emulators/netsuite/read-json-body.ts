import type { IncomingMessage } from 'node:http';
import { nonUtf8Charset } from '../../platform/utf8.js';
import { readBodyBytes } from '../common/read-body-bytes.js';
import { parseStrictJson, type JsonProblem } from '../common/strict-json.js';
import { toErrorPath } from './error-path.js';
import { invalidContent, NetSuiteError } from './netsuite-error.js';

// Every body the emulator reads goes through here, so hostile input gets one precise 4xx in NetSuite's
// shape and never reaches a handler: oversized (413), not JSON or not UTF-8 (400), NUL, lone
// surrogates, nesting past 64 levels, numbers JSON cannot carry exactly, repeated keys (400, with
// `o:errorPath`). Numbers are refused past 15 significant digits so that `new Decimal(String(n))`
// later gives back exactly the digits that were sent.

/** The body's bytes; throws 413 once past `maxBytes` (after draining, so the client reads the answer). */
export async function readBytes(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const bytes = await readBodyBytes(request, maxBytes);
  if (bytes === undefined) {
    throw new NetSuiteError(
      413,
      'REQUEST_TOO_LARGE',
      `The request body is larger than the maximum of ${maxBytes} bytes.`,
    );
  }
  return bytes;
}

function checkMediaType(contentType: string | undefined): void {
  // netsuite-rest sends its JSON bodies with no Content-Type at all, so a missing one is JSON.
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[\w.+-]*\+json$/.test(type))
    throw new NetSuiteError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `The media type ${type} is not supported; send application/json.`,
    );
  const charset = nonUtf8Charset(contentType);
  if (charset !== undefined)
    throw new NetSuiteError(415, 'UNSUPPORTED_MEDIA_TYPE', `Only UTF-8 is supported, not ${charset}.`);
}

/** NetSuite's refusal of a body, with `o:errorPath` where the problem has a place. */
function refusal(problem: JsonProblem): NetSuiteError {
  switch (problem.kind) {
    case 'empty':
      return invalidContent('The request body is empty.');
    case 'notUtf8':
      return invalidContent('The request body is not valid UTF-8.');
    case 'syntax':
      return invalidContent(`Invalid JSON: ${problem.message}`);
    case 'duplicate':
      return invalidContent('A field is given more than once.', toErrorPath(problem.path));
    default:
      return invalidContent(`The value ${problem.message}.`, toErrorPath(problem.path));
  }
}

/** The parsed JSON body of a request, or a NetSuiteError naming its first problem. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  checkMediaType(request.headers['content-type']);
  const parsed = parseStrictJson(await readBytes(request, maxBytes));
  if ('problem' in parsed) throw refusal(parsed.problem);
  return parsed.value;
}
