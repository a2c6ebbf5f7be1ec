import { escapePointerToken } from '../../../platform/json-pointer.js';

// A `stripe` target as the catalog declares it: where Stripe is, the pinned API version, and what a
// period's hand-off becomes: invoice items (the document's lines, priced as Meterbridge priced them) or
// meter events (its usage records, priced by Stripe's own prices on its meters). The secret key is never
// a setting: `credentials` names it. Nothing here imports target-kinds.ts, which imports this (the
// shapes below are target-kinds' BilledSubscription and EntityProblem).

const METER_EVENT_NAME = {
  type: 'string',
  pattern: '^[A-Za-z0-9_.:-]{1,100}$',
  description: "a Stripe meter's event_name (1-100 of A-Z a-z 0-9 _ . : -)",
};

export const STRIPE_SETTINGS = {
  type: 'object',
  additionalProperties: false,
  required: ['send'],
  properties: {
    apiBaseUrl: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://[^\\s/?#]+/?$',
      description: 'an origin: https://api.stripe.com (the default) or http://127.0.0.1:<port> for the emulator',
    },
    apiVersion: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}(\\.[a-z]+)?$',
      description: 'a Stripe API version such as 2024-04-10 (the default)',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 1000,
      maximum: 300000,
      description: 'milliseconds from 1000 to 300000 a request may take before its outcome is unknown',
    },
    send: {
      enum: ['invoice_items', 'meter_events'],
      description:
        '"invoice_items": each document line as an invoice item priced by Meterbridge; "meter_events": the usage records behind its usage lines, priced by Stripe',
    },
    meters: {
      type: 'object',
      description: 'meter key -> the event_name of the Stripe meter its usage is sent to (send: meter_events)',
      propertyNames: { minLength: 1, maxLength: 200 },
      additionalProperties: METER_EVENT_NAME,
    },
  },
};

/** Stripe refuses meter events older than 35 days: a period longer than a month cannot be sent at its close. */
const METER_EVENT_PERIODS = new Set(['month']);

/**
 * A subscription billed in a Stripe target: in meter-event mode each meter its plan bills by needs a
 * Stripe meter, and its periods must end within Stripe's 35-day window of their first usage.
 */
export function checkStripeBilled(
  settings: Readonly<Record<string, unknown>>,
  billed: { subscription: string; billingPeriod: string; meters: readonly string[] },
): Array<{ path: string; message: string }> {
  if (settings.send !== 'meter_events') return [];
  const problems: Array<{ path: string; message: string }> = [];
  const meters = (settings.meters ?? {}) as Record<string, string>;
  for (const meter of billed.meters)
    if (!Object.hasOwn(meters, meter))
      problems.push({
        path: `/meters/${escapePointerToken(meter)}`,
        message: `is required: subscription "${billed.subscription}" bills meter "${meter}", whose usage is sent as meter events to a Stripe meter named here`,
      });
  if (!METER_EVENT_PERIODS.has(billed.billingPeriod))
    problems.push({
      path: '/send',
      message: `"meter_events" cannot bill subscription "${billed.subscription}": its ${billed.billingPeriod} periods hold usage older than the 35 days Stripe takes meter events for; bill it with "invoice_items"`,
    });
  return problems;
}

/** What a document billed in the target is handed over as. */
export const stripeHandOff = (settings: Readonly<Record<string, unknown>>): 'items' | 'usage' =>
  settings.send === 'meter_events' ? 'usage' : 'items';
