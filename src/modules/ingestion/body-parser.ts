import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../platform/errors.js';
import type { BodyItem } from './ingestion.js';
import { parseNdjsonLine } from './ndjson-line.js';

export const EVENT_MEDIA_TYPES = [
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'application/json',
  'application/x-ndjson',
] as const;
export type EventMediaType = (typeof EVENT_MEDIA_TYPES)[number];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The media type without parameters; only UTF-8 is accepted as a charset. */
export function eventMediaType(header: string | undefined): EventMediaType {
  const [essence = '', ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (!(EVENT_MEDIA_TYPES as readonly string[]).includes(essence)) {
    throw new UnsupportedMediaTypeError(
      `content type ${JSON.stringify(header ?? '')} is not accepted; use one of ${EVENT_MEDIA_TYPES.join(', ')}`,
    );
  }
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  if (charset && !/^charset="?utf-8"?$/.test(charset)) {
    throw new UnsupportedMediaTypeError(`only UTF-8 is accepted, got ${charset}`);
  }
  return essence as EventMediaType;
}

// TextDecoder drops a leading byte order mark (its default), which some exporters write.
function decode(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ValidationError(`${what} is not valid UTF-8`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`body is not valid JSON: ${(error as Error).message}`);
  }
}

function checkCount(count: number, maxBatchEvents: number): void {
  if (count === 0) throw new ValidationError('the batch is empty: send at least one event');
  if (count > maxBatchEvents) {
    throw new PayloadTooLargeError(`the batch has ${count} events; the limit is ${maxBatchEvents} per request`);
  }
}

const NEWLINE = 0x0a;

/** NDJSON: one event per line; a bad line is that event's rejection, never the whole request's. */
function parseNdjson(body: Buffer, maxBatchEvents: number): BodyItem[] {
  const items: BodyItem[] = [];
  let start = 0;
  let line = 0;
  while (start <= body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = body.length;
    line += 1;
    const parsed = parseNdjsonLine(body.subarray(start, end), line);
    start = end + 1;
    if (parsed === undefined) continue;
    // Stops at the first event past the limit rather than reading on; a line that is not UTF-8 is
    // left to the count below, so it never triggers the stop.
    if (parsed.decoded && items.length >= maxBatchEvents) checkCount(items.length + 1, maxBatchEvents);
    items.push(parsed.item);
  }
  checkCount(items.length, maxBatchEvents);
  return items;
}

/**
 * Turns a request body into the events it carries, by media type. Problems with the body as a whole
 * (not UTF-8, not JSON, wrong shape, empty, too many events) throw; problems with one event do not.
 */
export function parseEventsBody(body: Buffer, mediaType: EventMediaType, maxBatchEvents: number): BodyItem[] {
  if (body.length === 0) throw new ValidationError('the request body is empty: send at least one event');
  if (mediaType === 'application/x-ndjson') return parseNdjson(body, maxBatchEvents);
  const parsed = parseJson(decode(body, 'body'));
  if (mediaType === 'application/cloudevents+json' && Array.isArray(parsed)) {
    throw new ValidationError('application/cloudevents+json carries one event; send arrays as application/cloudevents-batch+json');
  }
  if (mediaType === 'application/cloudevents-batch+json' && !Array.isArray(parsed)) {
    throw new ValidationError('application/cloudevents-batch+json must be a JSON array of events');
  }
  const events: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  checkCount(events.length, maxBatchEvents);
  return events.map((value) => ({ value }));
}
