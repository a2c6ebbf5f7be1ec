import Stripe from 'stripe';
import { systemClock, type Clock } from '../../../platform/clock.js';
import { DeliveryFailure, type ReadPace } from '../connector.js';
import {
  idempotencyKey,
  LINE_METADATA,
  meterEventIdentifier,
  POSTING_METADATA,
  type PostingLineRef,
} from './stripe-keys.js';
import type { StripeClientSettings } from './stripe-settings.js';
import { stripeCaller } from './stripe-transport.js';

// The Stripe client core: invoice items and meter events created through the official client with a key
// derived from the posting (so a crash and a retry replay the first answer), and read back by the
// metadata every item carries when the key may be gone (Stripe keeps keys 24 hours). It knows nothing of
// Meterbridge's documents: the billing design decides what to post; this decides how, safely.

/** Stripe keeps an idempotency key at least this long; past it a retry must read back first. */
export const KEY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Read back an hour early: Stripe's clock and ours differ, and "at least" is not "exactly". */
export const READ_BACK_AFTER_MS = KEY_RETENTION_MS - 60 * 60 * 1000;
/** How far before the first attempt the read-back looks (clock skew between Meterbridge and Stripe). */
const READ_BACK_SKEW_S = 15 * 60;
/** A read-back past this many items of one customer gives up rather than page forever. */
const MAX_READ_BACK_ITEMS = 10_000;

export interface PostingRef extends PostingLineRef {
  /** When the first request with this key was sent: a retry past READ_BACK_AFTER_MS reads back first. */
  firstAttemptAt?: Date;
}

export interface InvoiceItemInput {
  /** Stripe's customer id (`cus_...`). */
  customer: string;
  /** ISO 4217, any case (sent lower case). */
  currency: string;
  description?: string;
  /** The service period, shown on the invoice and used by revenue recognition. */
  period?: { start: Date; end: Date };
  /** The charge: a whole amount in minor units, or a unit amount (minor units, up to 12 decimals) times a whole quantity. */
  charge: { amount: number } | { unitAmountDecimal: string; quantity: number };
  /** More metadata; `meterbridge_posting` and `meterbridge_line` are always the ref's. */
  metadata?: Record<string, string>;
}

export interface PostedInvoiceItem {
  id: string;
  amount: number;
  /** `created` (this request), `replayed` (Stripe's saved answer for the key), `found` (read back by metadata). */
  via: 'created' | 'replayed' | 'found';
}

export interface MeterEventInput {
  eventName: string;
  customer: string;
  /** Non-negative decimal text. */
  value: string;
  timestamp: Date;
}

export interface PostedMeterEvent {
  identifier: string;
  /** `duplicate`: Stripe already holds an event with the identifier (counted once). */
  via: 'created' | 'replayed' | 'duplicate';
}

export interface InvoiceInput {
  customer: string;
  description?: string;
  /** More metadata; `meterbridge_posting` is always the ref's. */
  metadata?: Record<string, string>;
}

export interface PostedInvoice {
  id: string;
  /** What Stripe's draft came to with the pending items it took in, minor units. */
  total: number;
  via: 'created' | 'replayed' | 'found';
}

export interface StripeBillingClient {
  createInvoiceItem(input: InvoiceItemInput, ref: PostingRef, signal?: AbortSignal): Promise<PostedInvoiceItem>;
  /** The invoice item of a posting's line, by metadata, created at or after `since` (a skew allowed). */
  findInvoiceItem(
    customer: string,
    ref: PostingLineRef,
    since?: Date,
    signal?: AbortSignal,
  ): Promise<Stripe.InvoiceItem | undefined>;
  /** Every invoice item of a posting, by line, in one pass over the customer's items created since `since`. */
  findPostingItems(
    customer: string,
    externalId: string,
    since?: Date,
    signal?: AbortSignal,
  ): Promise<Map<number, Stripe.InvoiceItem>>;
  createMeterEvent(input: MeterEventInput, ref: PostingRef, signal?: AbortSignal): Promise<PostedMeterEvent>;
  /**
   * A draft invoice of the customer's pending invoice items, which Stripe finalizes and collects on its
   * own (`auto_advance`); read back by metadata first once the key may be gone.
   */
  createInvoice(input: InvoiceInput, ref: PostingRef, signal?: AbortSignal): Promise<PostedInvoice>;
  /** The invoice a posting created, by metadata, created at or after `since` (a skew allowed). */
  findInvoice(
    customer: string,
    ref: PostingLineRef,
    since?: Date,
    signal?: AbortSignal,
  ): Promise<Stripe.Invoice | undefined>;
}

const invalid = (message: string) => new DeliveryFailure('invalid', message);
const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The form parameters of an invoice item, checked before anything is sent. */
function invoiceItemParams(input: InvoiceItemInput, ref: PostingLineRef): Stripe.InvoiceItemCreateParams {
  if (!/^cus_[A-Za-z0-9]+$/.test(input.customer)) throw invalid(`${input.customer} is not a Stripe customer id`);
  if (!/^[A-Za-z]{3}$/.test(input.currency)) throw invalid(`${input.currency} is not an ISO 4217 currency code`);
  const charge: Partial<Stripe.InvoiceItemCreateParams> = {};
  if ('amount' in input.charge) {
    if (!Number.isSafeInteger(input.charge.amount))
      throw invalid(`the amount ${input.charge.amount} is not whole minor units`);
    charge.amount = input.charge.amount;
  } else {
    const { unitAmountDecimal, quantity } = input.charge;
    if (!/^-?\d{1,19}(\.\d{1,12})?$/.test(unitAmountDecimal))
      throw invalid(`the unit amount ${unitAmountDecimal} is not decimal text with at most 12 decimals`);
    if (!Number.isSafeInteger(quantity) || quantity < 0)
      throw invalid(`the quantity ${quantity} is not a whole number: Stripe's invoice items take whole quantities`);
    charge.unit_amount_decimal = Stripe.Decimal.from(unitAmountDecimal);
    charge.quantity = quantity;
  }
  const period =
    input.period === undefined
      ? undefined
      : { start: unixSeconds(input.period.start), end: unixSeconds(input.period.end) };
  if (period && period.end < period.start) throw invalid('the period ends before it starts');
  return {
    customer: input.customer,
    currency: input.currency.toLowerCase(),
    ...charge,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(period === undefined ? {} : { period }),
    metadata: { ...input.metadata, [POSTING_METADATA]: ref.externalId, [LINE_METADATA]: String(ref.line) },
  };
}

/** What Stripe refuses of a meter event, refused before anything is sent. */
export function checkMeterEvent(input: MeterEventInput, now: Date): void {
  if (input.eventName === '' || input.eventName.length > 100)
    throw invalid('a meter event name is 1 to 100 characters');
  if (!/^cus_[A-Za-z0-9]+$/.test(input.customer)) throw invalid(`${input.customer} is not a Stripe customer id`);
  if (!/^\d{1,15}(\.\d{1,12})?$/.test(input.value))
    throw invalid(`the meter event value ${input.value} is not non-negative decimal text`);
  const age = now.getTime() - input.timestamp.getTime();
  if (age > 35 * 86_400_000) throw invalid('Stripe takes meter events of the last 35 days only');
  if (age < -5 * 60_000) throw invalid('Stripe takes meter events at most 5 minutes ahead');
}

/** Refuses to send again a meter event Stripe may no longer deduplicate: single events cannot be read back. */
export function checkResend(ref: PostingRef, now: Date): void {
  if (ref.firstAttemptAt !== undefined && now.getTime() - ref.firstAttemptAt.getTime() >= READ_BACK_AFTER_MS)
    throw invalid(
      `meter event ${meterEventIdentifier(ref)} was first sent over 23 hours ago: Stripe no longer deduplicates its identifier and single events cannot be read back, so sending it again could count it twice; compare the meter's event summaries before sending it again`,
    );
}

/** `pace`: a read's (reconciliation's), awaited before each request the client sends; none for a delivery. */
export function createStripeBillingClient(
  settings: StripeClientSettings,
  secret: string,
  clock: Clock = systemClock,
  pace?: ReadPace,
): StripeBillingClient {
  const call = stripeCaller(settings, secret, clock, pace);

  /** Stripe may have forgotten the ref's key: a retry must read back before it creates anything. */
  const keyMayBeGone = (ref: PostingRef) =>
    ref.firstAttemptAt !== undefined && clock.now().getTime() - ref.firstAttemptAt.getTime() >= READ_BACK_AFTER_MS;

  const findPostingItems: StripeBillingClient['findPostingItems'] = async (customer, externalId, since, signal) => {
    const created = since === undefined ? undefined : { gte: unixSeconds(since) - READ_BACK_SKEW_S };
    const what = `GET /v1/invoiceitems?customer=${customer} (read back ${externalId})`;
    const { value } = await call(what, signal, async (stripe) => {
      let seen = 0;
      const byLine = new Map<number, Stripe.InvoiceItem>();
      for await (const item of stripe.invoiceItems.list({ customer, limit: 100, ...(created ? { created } : {}) })) {
        // Newest first: the last match of a line is the oldest, the one a retry would have replayed.
        if (item.metadata?.[POSTING_METADATA] === externalId) byLine.set(Number(item.metadata[LINE_METADATA]), item);
        seen += 1;
        if (seen >= MAX_READ_BACK_ITEMS)
          throw new DeliveryFailure(
            'unavailable',
            `${what}: more than ${MAX_READ_BACK_ITEMS} invoice items to read back`,
          );
      }
      return byLine;
    });
    return value;
  };

  const findInvoiceItem: StripeBillingClient['findInvoiceItem'] = async (customer, ref, since, signal) =>
    (await findPostingItems(customer, ref.externalId, since, signal)).get(ref.line);

  const findInvoice: StripeBillingClient['findInvoice'] = async (customer, ref, since, signal) => {
    const created = since === undefined ? undefined : { gte: unixSeconds(since) - READ_BACK_SKEW_S };
    const what = `GET /v1/invoices?customer=${customer} (read back ${ref.externalId})`;
    const { value } = await call(what, signal, async (stripe) => {
      let seen = 0;
      for await (const invoice of stripe.invoices.list({ customer, limit: 100, ...(created ? { created } : {}) })) {
        if (invoice.metadata?.[POSTING_METADATA] === ref.externalId) return invoice;
        seen += 1;
        if (seen >= MAX_READ_BACK_ITEMS)
          throw new DeliveryFailure('unavailable', `${what}: more than ${MAX_READ_BACK_ITEMS} invoices to read back`);
      }
      return undefined;
    });
    return value;
  };

  return {
    async createInvoice(input, ref, signal) {
      if (!/^cus_[A-Za-z0-9]+$/.test(input.customer)) throw invalid(`${input.customer} is not a Stripe customer id`);
      if (keyMayBeGone(ref)) {
        const found = await findInvoice(input.customer, ref, ref.firstAttemptAt, signal);
        if (found !== undefined) return { id: found.id, total: found.total, via: 'found' };
      }
      const idempotency = idempotencyKey('invoice', ref);
      const { value, replayed } = await call(`POST /v1/invoices (${idempotency})`, signal, (stripe) =>
        stripe.invoices.create(
          {
            customer: input.customer,
            auto_advance: true,
            collection_method: 'charge_automatically',
            pending_invoice_items_behavior: 'include',
            ...(input.description === undefined ? {} : { description: input.description }),
            metadata: { ...input.metadata, [POSTING_METADATA]: ref.externalId },
          },
          { idempotencyKey: idempotency },
        ),
      );
      return { id: value.id, total: value.total, via: replayed ? 'replayed' : 'created' };
    },

    findInvoice,

    async createInvoiceItem(input, ref, signal) {
      const params = invoiceItemParams(input, ref);
      if (keyMayBeGone(ref)) {
        const found = await findInvoiceItem(input.customer, ref, ref.firstAttemptAt, signal);
        if (found !== undefined) return { id: found.id, amount: found.amount, via: 'found' };
      }
      const idempotency = idempotencyKey('invoice_item', ref);
      const { value, replayed } = await call(`POST /v1/invoiceitems (${idempotency})`, signal, (stripe) =>
        stripe.invoiceItems.create(params, { idempotencyKey: idempotency }),
      );
      return { id: value.id, amount: value.amount, via: replayed ? 'replayed' : 'created' };
    },

    findInvoiceItem,
    findPostingItems,

    async createMeterEvent(input, ref, signal) {
      const now = clock.now();
      checkMeterEvent(input, now);
      const identifier = meterEventIdentifier(ref);
      checkResend(ref, now);
      const idempotency = idempotencyKey('meter_event', ref);
      try {
        const { replayed } = await call(`POST /v1/billing/meter_events (${idempotency})`, signal, (stripe) =>
          stripe.billing.meterEvents.create(
            {
              event_name: input.eventName,
              identifier,
              timestamp: unixSeconds(input.timestamp),
              payload: { stripe_customer_id: input.customer, value: input.value },
            },
            { idempotencyKey: idempotency },
          ),
        );
        return { identifier, via: replayed ? 'replayed' : 'created' };
      } catch (error) {
        // An identifier Stripe already holds: the event was counted by an earlier request.
        if (error instanceof DeliveryFailure && error.detail.status === 400 && error.detail.path === 'identifier')
          return { identifier, via: 'duplicate' };
        throw error;
      }
    },
  };
}
