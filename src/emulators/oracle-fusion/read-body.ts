import type { IncomingMessage } from 'node:http';
import { findHostileJson } from '../../platform/hostile-json.js';
import { decodeUtf8 } from '../../platform/utf8.js';
import { readBodyBytes } from '../common/read-body-bytes.js';
import { badRequest, OracleError } from './oracle-error.js';

// Every body the emulator reads goes through here: oversized (413), not UTF-8 or not JSON (400), NUL,
// lone surrogates, nesting past 64 levels (400), each in the REST framework's error shape.

export async function readBytes(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const bytes = await readBodyBytes(request, maxBytes);
  if (bytes === undefined) throw new OracleError(413, '27026', `The request body is larger than ${maxBytes} bytes.`);
  return bytes;
}

export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (request.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[\w.+-]*\+json$/.test(type))
    throw new OracleError(
      415,
      '27027',
      `The media type ${type} isn't supported; send application/vnd.oracle.adf.resourceitem+json.`,
    );
  const text = decodeUtf8(await readBytes(request, maxBytes));
  if (text === undefined) throw badRequest("The request body isn't valid UTF-8.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body isn't valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [problem] = findHostileJson(value);
  if (problem !== undefined) throw badRequest(`The value at ${problem.path || 'the root'} ${problem.message}.`);
  return value;
}
