import { createHash } from 'node:crypto';

// The keys that make a retried request harmless, derived only from what is being posted: the posting's
// external id, the operation and the line. A crash and a retry, in this process or another, derive the
// same key, so Stripe replays the first answer instead of creating a second invoice item. A key is text a
// person can search Stripe's logs by while it is short and plain; past Stripe's limits it is a digest.

export type StripeOperation = 'invoice_item' | 'meter_event' | 'invoice';

export interface PostingLineRef {
  /** The posting's external id (deterministic, unique per target). */
  externalId: string;
  /** The line of the posting this request carries (1-based), or 0 for a request of the whole posting. */
  line: number;
  /**
   * Moves to a fresh key: only after a read-back proved the first request left nothing behind and its
   * key keeps replaying a failure (Stripe saves a 500 from inside it for the key's 24 hours).
   */
  generation?: number;
}

/** Stripe's limit on `Idempotency-Key`. */
export const MAX_IDEMPOTENCY_KEY = 255;
/** Stripe's limit on a meter event's `identifier`. */
export const MAX_METER_IDENTIFIER = 100;

const PLAIN = /^[A-Za-z0-9._-]+$/;

function derive(prefix: string, ref: PostingLineRef, max: number): string {
  if (!Number.isInteger(ref.line) || ref.line < 0) throw new RangeError(`a line is a whole number, not ${ref.line}`);
  const generation = ref.generation ? `:g${ref.generation}` : '';
  const plain = `${prefix}:${ref.externalId}:${ref.line}${generation}`;
  if (PLAIN.test(ref.externalId) && plain.length <= max) return plain;
  const digest = createHash('sha256')
    .update(`${ref.externalId}\u0000${ref.line}\u0000${ref.generation ?? 0}`)
    .digest('hex');
  return `${prefix}:sha256:${digest}`.slice(0, max);
}

/** `mb1:invoice_item:INV-2024-0001:3`: the Idempotency-Key of one request of a posting. */
export function idempotencyKey(operation: StripeOperation, ref: PostingLineRef): string {
  return derive(`mb1:${operation}`, ref, MAX_IDEMPOTENCY_KEY);
}

/**
 * A meter event's `identifier` (Stripe counts an identifier once within a rolling 24 hours): the same
 * derivation, so a resend within a day is dropped by Stripe as the duplicate it is.
 */
export function meterEventIdentifier(ref: PostingLineRef): string {
  return derive('mb1', ref, MAX_METER_IDENTIFIER);
}

/**
 * The Idempotency-Key of a v2 stream request: a digest of its events' identifiers, in order, so the
 * same batch sent again (after a lost answer, or through a renewed session) carries the same key.
 */
export function batchIdempotencyKey(identifiers: readonly string[]): string {
  return `mb1:meter_event_stream:sha256:${createHash('sha256').update(identifiers.join('\n')).digest('hex')}`;
}

/** The metadata every invoice item carries, what the read-back matches on. */
export const POSTING_METADATA = 'meterbridge_posting';
export const LINE_METADATA = 'meterbridge_line';
