import { configure } from 'safe-stable-stringify';
import type { FieldError } from '../../platform/errors.js';
import { findHostileContent } from './hostile-content.js';

const canonicalJson = configure({ deterministic: true }) as (value: unknown) => string;

/** Lago's `error_details` for one event: field name -> error codes or messages. */
export type LagoFieldErrors = Record<string, string[]>;

export type LagoSubjectField = 'external_subscription_id' | 'external_customer_id';

/** A Lago event turned into a CloudEvent, plus what Lago's response echoes back. */
export interface LagoEvent {
  /** A CloudEvents 1.0 structured event, for the ingestion module to validate and store. */
  cloudEvent: Record<string, unknown>;
  /** The CloudEvent's `source`; with `transactionId` (its `id`) the dedup key. */
  source: string;
  transactionId: string;
  code: string;
  externalSubscriptionId: string | null;
  externalCustomerId: string | null;
  subjectField: LagoSubjectField;
  /** RFC 3339, or `null` when the producer sent none (the receipt time applies). */
  time: string | null;
  properties: Record<string, unknown>;
  preciseTotalAmountCents: string | null;
}

export type LagoEventMapping = { ok: true; event: LagoEvent } | { ok: false; errors: LagoFieldErrors };

// CloudEvents extension names are at most 20 lower-case letters or digits, so Lago's own name does not fit.
export const LAGO_AMOUNT_EXTENSION = 'totalamountcents';

const UNSIGNED_DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const SIGNED_DECIMAL = /^-?\d+(?:\.\d+)?$/;
// 9999-12-31T23:59:59Z: the last second an RFC 3339 timestamp can write.
const MAX_UNIX_SECONDS = 253_402_300_799;
// timestamptz keeps microseconds; digits past them would make two spellings of one instant differ.
const MAX_FRACTION_DIGITS = 6;

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function addError(errors: LagoFieldErrors, field: string, code: string): void {
  (errors[field] ??= []).push(code);
}

/** Lago's model casts numbers into its string columns, so an integer id is as good as a string one. */
function text(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? value : undefined;
}

function requiredText(record: Record<string, unknown>, field: string, errors: LagoFieldErrors): string | undefined {
  const value = text(own(record, field));
  if (value === undefined) addError(errors, field, 'value_is_invalid');
  else if (value === null || value.trim() === '') addError(errors, field, 'value_is_mandatory');
  else return value;
  return undefined;
}

function optionalText(record: Record<string, unknown>, field: string, errors: LagoFieldErrors): string | null {
  const value = text(own(record, field));
  if (value === undefined) addError(errors, field, 'value_is_invalid');
  return value === undefined || value === null || value.trim() === '' ? null : value;
}

/**
 * Lago's `timestamp` (unix seconds: an integer, a float or a numeric string) as RFC 3339 in UTC.
 * `undefined` when it is not one: negative, NaN, exponent notation and ISO strings are refused, as Lago does.
 */
export function lagoTimestampToRfc3339(value: unknown): string | undefined {
  let spelled: string;
  if (typeof value === 'number') spelled = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'string') spelled = value.trim();
  else return undefined;
  const match = UNSIGNED_DECIMAL.exec(spelled);
  if (!match) return undefined;
  const seconds = Number(match[1]);
  if (seconds > MAX_UNIX_SECONDS) return undefined;
  const fraction = (match[2] ?? '').slice(0, MAX_FRACTION_DIGITS).replace(/0+$/, '');
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${whole}${fraction === '' ? '' : `.${fraction}`}Z`;
}

function properties(record: Record<string, unknown>, errors: LagoFieldErrors): Record<string, unknown> {
  const value = own(record, 'properties');
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  addError(errors, 'properties', 'value_is_invalid');
  return {};
}

function amount(record: Record<string, unknown>, errors: LagoFieldErrors): string | null {
  const value = own(record, 'precise_total_amount_cents');
  if (value === undefined || value === null) return null;
  const spelled =
    typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (SIGNED_DECIMAL.test(spelled)) return spelled;
  addError(errors, 'precise_total_amount_cents', 'value_is_invalid');
  return null;
}

// The fields a Lago event maps to a CloudEvent; the others are dropped, as Lago drops them.
const MAPPED_FIELDS = [
  'transaction_id',
  'code',
  'external_subscription_id',
  'external_customer_id',
  'timestamp',
  'properties',
  'precise_total_amount_cents',
];

/** Errors at paths of the Lago event itself, under their field, the path inside the field kept in the message. */
function byLagoField(errors: readonly FieldError[]): LagoFieldErrors {
  const details: LagoFieldErrors = {};
  for (const { path, message } of errors) {
    const [, field = 'event', ...rest] = path.split('/');
    addError(details, field, rest.length > 0 ? `/${rest.join('/')}: ${message}` : message);
  }
  return details;
}

/**
 * Maps one Lago event (`{transaction_id, external_subscription_id, code, timestamp?, properties?, ...}`)
 * to a CloudEvent, reporting every field error at once with Lago's codes.
 *
 * `source` carries the subscription because Lago's idempotency key is (external_subscription_id,
 * transaction_id): the same transaction id under two subscriptions is two events. Fields Lago does not
 * permit are dropped, as Lago does.
 */
export function fromLagoEvent(raw: unknown): LagoEventMapping {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: { event: ['value_is_invalid'] } };
  }
  const record = raw as Record<string, unknown>;
  // Before any field is read: a lone surrogate in a subject would make encodeURIComponent throw, and
  // deep or hostile properties must not reach the batch's conflict check, which serializes them.
  const hostile = findHostileContent(
    Object.fromEntries(
      MAPPED_FIELDS.filter((field) => Object.hasOwn(record, field)).map((field) => [field, record[field]]),
    ),
  );
  if (hostile.length > 0) return { ok: false, errors: byLagoField(hostile) };
  const errors: LagoFieldErrors = {};
  const transactionId = requiredText(record, 'transaction_id', errors);
  const code = requiredText(record, 'code', errors);
  const externalSubscriptionId = optionalText(record, 'external_subscription_id', errors);
  const externalCustomerId = optionalText(record, 'external_customer_id', errors);
  if (externalSubscriptionId === null && externalCustomerId === null && !errors.external_subscription_id) {
    addError(errors, 'external_subscription_id', 'value_is_mandatory');
  }
  const rawTimestamp = own(record, 'timestamp');
  const time = rawTimestamp === undefined || rawTimestamp === null ? null : lagoTimestampToRfc3339(rawTimestamp);
  if (time === undefined) addError(errors, 'timestamp', 'invalid_format');
  const data = properties(record, errors);
  const preciseTotalAmountCents = amount(record, errors);
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const subjectField: LagoSubjectField =
    externalSubscriptionId !== null ? 'external_subscription_id' : 'external_customer_id';
  const subject = (externalSubscriptionId ?? externalCustomerId) as string;
  const kind = subjectField === 'external_subscription_id' ? 'subscription' : 'customer';
  const source = `lago/${kind}/${encodeURIComponent(subject)}`;
  const cloudEvent: Record<string, unknown> = {
    specversion: '1.0',
    id: transactionId,
    source,
    type: code,
    subject,
    // Left out when absent, so that ingestion stamps the receipt time and a retry hashes the same.
    ...(time === null ? {} : { time }),
    data,
    ...(preciseTotalAmountCents === null ? {} : { [LAGO_AMOUNT_EXTENSION]: preciseTotalAmountCents }),
  };
  return {
    ok: true,
    event: {
      cloudEvent,
      source,
      transactionId: transactionId as string,
      code: code as string,
      externalSubscriptionId,
      externalCustomerId,
      subjectField,
      time: time ?? null,
      properties: data,
      preciseTotalAmountCents,
    },
  };
}

/**
 * Indexes of events that reuse an earlier event's (source, transaction id) in the same batch with other
 * content. Lago refuses those; found before storing, they keep the batch all-or-nothing.
 */
export function findConflictsInBatch(mappings: readonly LagoEventMapping[]): number[] {
  const contentByKey = new Map<string, string>();
  const conflicts: number[] = [];
  mappings.forEach((mapping, index) => {
    if (!mapping.ok) return;
    const key = `${mapping.event.source}\u0000${mapping.event.transactionId}`;
    const content = canonicalJson(mapping.event.cloudEvent);
    const first = contentByKey.get(key);
    if (first === undefined) contentByKey.set(key, content);
    else if (first !== content) conflicts.push(index);
  });
  return conflicts;
}

const FIELD_OF_ATTRIBUTE = new Map([
  ['id', 'transaction_id'],
  ['type', 'code'],
  ['dataschema', 'code'],
  ['time', 'timestamp'],
  ['data', 'properties'],
  [LAGO_AMOUNT_EXTENSION, 'precise_total_amount_cents'],
]);

/**
 * Names the Lago field behind each CloudEvents error of a mapped event. The message keeps the path
 * inside `properties` (schema errors point into it). A whole-event error can only be the event's size,
 * which its properties dominate.
 */
export function toLagoFieldErrors(errors: readonly FieldError[], subjectField: LagoSubjectField): LagoFieldErrors {
  const details: LagoFieldErrors = {};
  for (const { path, message } of errors) {
    const [, attribute = '', ...rest] = path.split('/');
    const field =
      attribute === ''
        ? 'properties'
        : attribute === 'subject' || attribute === 'source'
          ? subjectField
          : (FIELD_OF_ATTRIBUTE.get(attribute) ?? 'event');
    const inner = rest.length > 0 ? `/${rest.join('/')}` : '';
    addError(details, field, inner === '' ? message : `${inner}: ${message}`);
  }
  return details;
}
