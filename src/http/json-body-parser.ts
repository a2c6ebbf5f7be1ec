import type { FastifyRequest } from 'fastify';
import { UnsupportedMediaTypeError, ValidationError, type FieldError } from '../platform/errors.js';
import { findHostileJson, MAX_JSON_DEPTH } from '../platform/hostile-json.js';
import { walkJson } from '../platform/json-walk.js';
import { findInexactNumbers } from '../platform/json-numbers.js';
import { decodeUtf8, nonUtf8Charset } from '../platform/utf8.js';

// The one JSON body parser of every route that takes application/json (the Lago scope included): the
// same strict reading as /v1/events. Bytes that are not UTF-8 are refused (never decoded into U+FFFD),
// and the parsed value is checked for what cannot be stored (NUL, lone surrogates, unrepresentable or
// rounded numbers, prototype keys) and for nesting past MAX_JSON_DEPTH before anything else, Ajv
// included, walks it. JSON.parse itself is iterative in V8, so any nesting parses.

/** Bodies this parser has checked, so the hostile-input hook does not walk them a second time. */
const inspected = new WeakSet<object>();

export function wasInspected(body: unknown): boolean {
  return body !== null && typeof body === 'object' && inspected.has(body);
}

function describe({ path, message }: FieldError): string {
  return path === '' ? message : `${path} ${message}`;
}

/** One error naming the first problem (a client that shows only `detail` still sees which field), listing all. */
export function refusedInput(what: string, errors: FieldError[]): ValidationError {
  const more = errors.length - 1;
  const first = describe(errors[0] as FieldError);
  return new ValidationError(
    `${what} is refused: ${first}${more > 0 ? ` (and ${more} more; see errors)` : ''}`,
    errors,
  );
}

export interface JsonBodyOptions {
  /**
   * `parser`: the content is checked here. `route`: only the structure (nesting, numbers) is; the route
   * checks the content itself where it can answer per field (the Lago routes, per event, as a 422).
   */
  contentChecked?: 'parser' | 'route';
}

/** Parses and checks a JSON body; throws a ValidationError (400) naming every refused value. */
function parseJsonBody(bytes: Buffer, options: JsonBodyOptions = {}): unknown {
  if (bytes.length === 0) throw new ValidationError('the request body is empty: send a JSON document');
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new ValidationError('the body is not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`body is not valid JSON: ${(error as Error).message}`);
  }
  const errors =
    options.contentChecked === 'route' ? walkJson(value, {}, { maxDepth: MAX_JSON_DEPTH }) : findHostileJson(value);
  if (errors.length === 0) errors.push(...findInexactNumbers(text));
  if (errors.length > 0) throw refusedInput('the body', errors);
  if (value !== null && typeof value === 'object') inspected.add(value);
  return value;
}

type Done = (error: Error | null, value?: unknown) => void;

/** parseJsonBody as a Fastify content type parser (`parseAs: 'buffer'`); only UTF-8 is accepted as a charset. */
export function jsonBodyParser(options: JsonBodyOptions = {}) {
  return (request: FastifyRequest, body: Buffer | string, done: Done): void => {
    try {
      const charset = nonUtf8Charset(request.headers['content-type']);
      if (charset !== undefined) throw new UnsupportedMediaTypeError(`only UTF-8 is accepted, got ${charset}`);
      done(null, parseJsonBody(typeof body === 'string' ? Buffer.from(body) : body, options));
    } catch (error) {
      done(error as Error);
    }
  };
}
