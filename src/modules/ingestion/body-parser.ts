import {
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  type FieldError,
} from '../../platform/errors.js';
import { findInexactNumbers } from '../../platform/json-numbers.js';
import { decodeUtf8, nonUtf8Charset } from '../../platform/utf8.js';
import type { BodyItem } from './ingestion.js';
import { parseNdjsonLine } from './ndjson-line.js';

export const EVENT_MEDIA_TYPES = [
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'application/json',
  'application/x-ndjson',
] as const;
export type EventMediaType = (typeof EVENT_MEDIA_TYPES)[number];

/** The media type without parameters; only UTF-8 is accepted as a charset. */
export function eventMediaType(header: string | undefined): EventMediaType {
  const essence = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!(EVENT_MEDIA_TYPES as readonly string[]).includes(essence)) {
    throw new UnsupportedMediaTypeError(
      `content type ${JSON.stringify(header ?? '')} is not accepted; use one of ${EVENT_MEDIA_TYPES.join(', ')}`,
    );
  }
  const charset = nonUtf8Charset(header);
  if (charset !== undefined) throw new UnsupportedMediaTypeError(`only UTF-8 is accepted, got ${charset}`);
  return essence as EventMediaType;
}

function decode(bytes: Uint8Array, what: string): string {
  const text = decodeUtf8(bytes);
  if (text === undefined) throw new ValidationError(`${what} is not valid UTF-8`);
  return text;
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
  const text = decode(body, 'body');
  const parsed = parseJson(text);
  if (mediaType === 'application/cloudevents+json' && Array.isArray(parsed)) {
    throw new ValidationError(
      'application/cloudevents+json carries one event; send arrays as application/cloudevents-batch+json',
    );
  }
  if (mediaType === 'application/cloudevents-batch+json' && !Array.isArray(parsed)) {
    throw new ValidationError('application/cloudevents-batch+json must be a JSON array of events');
  }
  const events: unknown[] = Array.isArray(parsed) ? parsed : [parsed];
  checkCount(events.length, maxBatchEvents);
  const inexact = inexactNumbersByEvent(text, Array.isArray(parsed));
  return events.map((value, index) => {
    const errors = inexact.get(index);
    return errors ? { parseErrors: errors } : { value };
  });
}

const MAX_ERRORS_PER_EVENT = 20;

/** Numbers JSON.parse would round, by the index of the event holding them, at paths within that event. */
function inexactNumbersByEvent(text: string, batch: boolean): Map<number, FieldError[]> {
  const byEvent = new Map<number, FieldError[]>();
  for (const { path, message } of findInexactNumbers(text, '', Number.POSITIVE_INFINITY)) {
    const [, index = '0', rest = path] = batch ? (/^\/(\d+)(.*)$/.exec(path) ?? []) : [];
    const errors = byEvent.get(Number(index)) ?? [];
    if (errors.length < MAX_ERRORS_PER_EVENT) errors.push({ path: rest, message });
    byEvent.set(Number(index), errors);
  }
  return byEvent;
}
