import { systemClock, type Clock } from '../../../platform/clock.js';
import {
  DeliveryFailure,
  type BillingHandOff,
  type Connector,
  type ConnectorKind,
  type DeliveryContext,
  type HeldDocument,
  type PostingBody,
  type ReadContext,
  type ReadPace,
  type SecretResolver,
  type TargetDefinition,
  type TargetDocument,
  type UsageHandOff,
} from '../connector.js';
import { TARGET_KIND_SPECS } from '../target-kinds.js';
import { createStripeBillingClient, type PostingRef } from './stripe-billing-client.js';
import { invoiceItemsOf, meterEventsOf } from './stripe-hand-off.js';
import { heldDocumentOf } from './stripe-held.js';
import { listHeldHandOffs } from './stripe-listing.js';
import { createStripeMeterEventStream } from './stripe-meter-stream.js';
import { DEFAULT_TIMEOUT_MS, type StripeClientSettings } from './stripe-settings.js';
import { stripeCaller } from './stripe-transport.js';
import { createUsageSummaries } from './stripe-usage-summary.js';

// A `stripe` target: a billing platform, not a ledger. A billing hand-off becomes the customer's invoice
// items, one per document line (and, when Stripe issues the invoice, a draft invoice Stripe finalizes);
// a usage hand-off becomes meter events through the v2 stream. Every request carries a key derived from
// the posting, so a crash and a retry replay Stripe's first answer; past Stripe's key retention the
// items and the invoice are read back by their metadata before anything is created.

interface StripeTargetSettings extends StripeClientSettings {
  send: 'invoice_items' | 'meter_events';
  meters?: Record<string, string>;
}

/** A delivery's requests (its items, an invoice, read-backs) share one timeout of this many requests. */
const TIMEOUTS_PER_DELIVERY = 8;

export function createStripeConnector(
  target: TargetDefinition,
  secrets: SecretResolver,
  clock: Clock = systemClock,
): Connector {
  const settings = target.settings as unknown as StripeTargetSettings;
  const clientSettings: StripeClientSettings = {
    ...(settings.apiBaseUrl === undefined ? {} : { apiBaseUrl: settings.apiBaseUrl.replace(/\/$/, '') }),
    ...(settings.apiVersion === undefined ? {} : { apiVersion: settings.apiVersion }),
    ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
  };
  async function secret(): Promise<string> {
    if (!target.credentials) throw new DeliveryFailure('auth', `target ${target.key} names no credentials`);
    return secrets(target.credentials);
  }
  /** Where a retry stands: when its first attempt began, if this is not it. */
  const refOf = (externalId: string, line: number, context?: DeliveryContext): PostingRef => ({
    externalId,
    line,
    ...(context?.firstAttemptAt ? { firstAttemptAt: context.firstAttemptAt } : {}),
  });

  async function deliverItems(body: BillingHandOff, signal: AbortSignal, context?: DeliveryContext) {
    const items = invoiceItemsOf(body);
    const client = createStripeBillingClient(clientSettings, await secret(), clock);
    const ids: string[] = [];
    for (const [index, item] of items.entries())
      ids.push((await client.createInvoiceItem(item, refOf(body.externalId, index + 1, context), signal)).id);
    if (!body.issue) return { id: ids[0] ?? `${body.customer}/${body.externalId}` };
    const invoice = await client.createInvoice(
      { customer: body.customer, description: body.memo, metadata: { meterbridge_invoice: body.source.invoiceNumber } },
      refOf(body.externalId, 0, context),
      signal,
    );
    return { id: invoice.id };
  }

  async function deliverUsage(body: UsageHandOff, signal: AbortSignal, context?: DeliveryContext) {
    const inputs = meterEventsOf(body, settings.meters ?? {});
    const stream = createStripeMeterEventStream(clientSettings, await secret(), clock);
    // Each usage record is its own identifier (its key), so Stripe counts it once whichever posting sends it.
    const events = inputs.map((input, index) => ({ ...input, ref: refOf(body.events[index]!.key, 0, context) }));
    await stream.send(events, signal);
    return { id: `${body.customer}/${body.externalId}/${events.length}` };
  }

  /**
   * Every item (and the invoice, when Stripe issues it) found by metadata, among what the customer got
   * since the posting was queued, with their sum and their lines; undefined when any is missing. Each
   * request (each page of the items, of the invoices) awaits the context's pace, when it has one.
   */
  async function findItems(
    body: BillingHandOff,
    signal: AbortSignal,
    context?: ReadContext,
  ): Promise<HeldDocument | undefined> {
    const client = createStripeBillingClient(clientSettings, await secret(), clock, context?.pace);
    const since = context?.queuedAt;
    const byLine = await client.findPostingItems(body.customer, body.externalId, since, signal);
    if (body.items.some((_, index) => !byLine.has(index + 1))) return undefined;
    const items = [...byLine].sort(([a], [b]) => a - b).map(([, item]) => item);
    if (!body.issue) return heldDocumentOf(items[0]?.id ?? `${body.customer}/${body.externalId}`, items);
    const invoice = await client.findInvoice(body.customer, { externalId: body.externalId, line: 0 }, since, signal);
    return invoice && heldDocumentOf(invoice.id, items);
  }

  const caller = async (pace?: ReadPace) => stripeCaller(clientSettings, await secret(), clock, pace);
  const usage = createUsageSummaries(caller, settings.meters ?? {});

  return {
    target,
    deliveryTimeoutMs: (settings.timeoutMs ?? DEFAULT_TIMEOUT_MS) * TIMEOUTS_PER_DELIVERY,
    async deliver(body: PostingBody, signal: AbortSignal, context?: DeliveryContext): Promise<TargetDocument> {
      if (body.type === 'billing_items') return deliverItems(body, signal, context);
      if (body.type === 'usage_events') return deliverUsage(body, signal, context);
      throw new DeliveryFailure(
        'invalid',
        `a stripe target bills customers: it takes no ${body.type} (${body.externalId})`,
      );
    },
    readsBack: (body) => body.type === 'billing_items',
    async find(body: PostingBody, signal: AbortSignal, context?: ReadContext): Promise<HeldDocument | undefined> {
      // Meter events cannot be read back one by one: sending them again under the same identifiers is the
      // look-up (Stripe drops an identifier it already counted within 24 hours).
      if (body.type !== 'billing_items') return undefined;
      return findItems(body, signal, context);
    },
    async listHeld(range, signal, pace) {
      return listHeldHandOffs(await caller(pace), range, signal);
    },
    summarizeUsage: (query, signal, pace) => usage.summarize(query, signal, pace),
  };
}

export const stripeKind: ConnectorKind = {
  kind: 'stripe',
  modes: TARGET_KIND_SPECS.stripe.modes,
  settingsSchema: TARGET_KIND_SPECS.stripe.settingsSchema,
  create: (target, secrets, clock) => createStripeConnector(target, secrets, clock),
};
