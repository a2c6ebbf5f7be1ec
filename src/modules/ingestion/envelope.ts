import { createHash } from 'node:crypto';
import formats from 'ajv-formats/dist/formats.js';
import { configure } from 'safe-stable-stringify';
import type { FieldError } from '../../platform/errors.js';
import { unplaceableTimeProblem } from '../../platform/time-range.js';
import type { ValidEvent } from './ingestion.js';
import { findHostileContent } from './hostile-content.js';

// Sorted keys make the hash independent of the order a producer happened to write attributes in.
const canonicalJson = configure({ deterministic: true, bigint: false, circularValue: Error }) as (
  value: unknown,
) => string;
const isRfc3339 = (formats.fullFormats['date-time'] as { validate: (value: string) => boolean }).validate;

const CORE_ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
]);
// CloudEvents 1.0: extension names are lower-case ASCII letters and digits; 20 characters is the spec's advice.
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json(?:\s*;.*)?$/i;
// A dataschema names a registry version when it ends in /<n>, /v<n>, or is <n> alone.
const SCHEMA_VERSION_SUFFIX = /(?:^|\/)v?(\d{1,9})$/;

export const MAX_ID_LENGTH = 256;
const MAX_ATTRIBUTE_LENGTH = 1024;

export interface EnvelopeContext {
  now: Date;
  maxEventBytes: number;
  maxFutureSeconds: number;
}

export type EnvelopeResult = { ok: true; event: ValidEvent } | { ok: false; id?: string; errors: FieldError[] };

function requiredString(
  raw: Record<string, unknown>,
  name: string,
  maxLength: number,
  errors: FieldError[],
): string | undefined {
  const value = raw[name];
  if (value === undefined || value === null) errors.push({ path: `/${name}`, message: 'is required' });
  else if (typeof value !== 'string')
    errors.push({ path: `/${name}`, message: `must be a string, got ${describe(value)}` });
  else if (value.trim() === '') errors.push({ path: `/${name}`, message: 'must not be empty' });
  else if (value.length > maxLength)
    errors.push({ path: `/${name}`, message: `must be at most ${maxLength} characters, got ${value.length}` });
  else return value;
  return undefined;
}

function optionalString(raw: Record<string, unknown>, name: string, errors: FieldError[]): string | null {
  if (raw[name] === undefined) return null;
  return requiredString(raw, name, MAX_ATTRIBUTE_LENGTH, errors) ?? null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function checkTime(raw: Record<string, unknown>, context: EnvelopeContext, errors: FieldError[]): string {
  const value = raw.time;
  if (value === undefined) return context.now.toISOString();
  if (typeof value !== 'string' || !isRfc3339(value)) {
    errors.push({
      path: '/time',
      message: `must be an RFC 3339 timestamp such as 2026-10-01T12:00:00Z, got ${describe(value)}`,
    });
    return '';
  }
  const unplaceable = unplaceableTimeProblem(value);
  if (unplaceable !== undefined) {
    errors.push({ path: '/time', message: unplaceable });
    return '';
  }
  const ahead = (Date.parse(value) - context.now.getTime()) / 1000;
  if (ahead > context.maxFutureSeconds) {
    errors.push({
      path: '/time',
      message: `is ${Math.round(ahead)} s in the future; at most ${context.maxFutureSeconds} s is allowed`,
    });
  }
  return value;
}

function checkExtensions(raw: Record<string, unknown>, errors: FieldError[]): ValidEvent['extensions'] {
  let extensions: Record<string, string | number | boolean> | null = null;
  for (const [name, value] of Object.entries(raw)) {
    if (CORE_ATTRIBUTES.has(name)) continue;
    if (name === 'data_base64') {
      errors.push({ path: '/data_base64', message: 'binary data is not supported: send data as a JSON object' });
    } else if (!EXTENSION_NAME.test(name)) {
      errors.push({
        path: `/${name}`,
        message: 'is not a CloudEvents attribute; extension names are 1-20 lower-case letters or digits',
      });
    } else if (
      typeof value !== 'string' &&
      typeof value !== 'boolean' &&
      !(typeof value === 'number' && Number.isInteger(value))
    ) {
      errors.push({
        path: `/${name}`,
        message: `extension attributes must be a string, boolean or integer, got ${describe(value)}`,
      });
    } else {
      extensions ??= {};
      extensions[name] = value;
    }
  }
  return extensions;
}

/**
 * Checks one event's CloudEvents 1.0 envelope and our limits, reporting every problem at once.
 * `data` is checked here only for shape (an object); its content is the schema registry's job.
 */
export function validateEnvelope(raw: unknown, context: EnvelopeContext): EnvelopeResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ path: '', message: `an event must be a JSON object, got ${describe(raw)}` }] };
  }
  const record = raw as Record<string, unknown>;
  const errors = findHostileContent(record);
  if (errors.length > 0) return { ok: false, id: typeof record.id === 'string' ? record.id : undefined, errors };

  const specversion = record.specversion;
  if (specversion === undefined) errors.push({ path: '/specversion', message: 'is required' });
  else if (specversion !== '1.0')
    errors.push({ path: '/specversion', message: `must be "1.0", got ${describe(specversion)}` });
  const id = requiredString(record, 'id', MAX_ID_LENGTH, errors);
  const source = requiredString(record, 'source', MAX_ATTRIBUTE_LENGTH, errors);
  const type = requiredString(record, 'type', MAX_ID_LENGTH, errors);
  const subject = optionalString(record, 'subject', errors);
  const time = checkTime(record, context, errors);
  const datacontenttype = optionalString(record, 'datacontenttype', errors);
  if (datacontenttype !== null && !JSON_MEDIA_TYPE.test(datacontenttype)) {
    errors.push({
      path: '/datacontenttype',
      message: `must be a JSON media type (data is a JSON object), got ${JSON.stringify(datacontenttype)}`,
    });
  }
  const dataschema = optionalString(record, 'dataschema', errors);
  const data = record.data;
  if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) {
    errors.push({ path: '/data', message: `must be a JSON object, got ${describe(data)}` });
  }
  const extensions = checkExtensions(record, errors);
  if (errors.length > 0) return { ok: false, id, errors };

  const canonical = canonicalJson(record);
  const bytes = Buffer.byteLength(canonical);
  if (bytes > context.maxEventBytes) {
    return {
      ok: false,
      id,
      errors: [{ path: '', message: `event is ${bytes} bytes; the limit is ${context.maxEventBytes}` }],
    };
  }
  const version = dataschema === null ? null : SCHEMA_VERSION_SUFFIX.exec(dataschema);
  return {
    ok: true,
    event: {
      source: source as string,
      id: id as string,
      type: type as string,
      subject,
      time,
      datacontenttype,
      dataschema,
      requestedSchemaVersion: version ? Number(version[1]) : null,
      data: (data as Record<string, unknown> | undefined) ?? null,
      extensions,
      payloadHash: createHash('sha256').update(canonical).digest('base64url'),
      dataJson: data === undefined ? null : JSON.stringify(data),
    },
  };
}
