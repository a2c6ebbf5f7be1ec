import type { IncomingMessage } from 'node:http';
import { findHostileJson } from '../../platform/hostile-json.js';
import { findInexactNumbers } from '../../platform/json-numbers.js';
import { decodeUtf8, nonUtf8Charset } from '../../platform/utf8.js';
import { findDuplicateKey } from '../common/find-duplicate-key.js';
import { readBodyBytes } from '../common/read-body-bytes.js';
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

/** The parsed JSON body of a request, or a NetSuiteError naming its first problem. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  checkMediaType(request.headers['content-type']);
  const bytes = await readBytes(request, maxBytes);
  if (bytes.length === 0) throw invalidContent('The request body is empty.');
  const text = decodeUtf8(bytes);
  if (text === undefined) throw invalidContent('The request body is not valid UTF-8.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidContent(`Invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [problem] = findHostileJson(value);
  if (problem !== undefined) throw invalidContent(`The value ${problem.message}.`, toErrorPath(problem.path));
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) throw invalidContent('A field is given more than once.', toErrorPath(duplicate));
  const [inexact] = findInexactNumbers(text);
  if (inexact !== undefined) throw invalidContent(`The value ${inexact.message}.`, toErrorPath(inexact.path));
  return value;
}
