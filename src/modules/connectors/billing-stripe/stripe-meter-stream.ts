import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../../../platform/clock.js';
import { DeliveryFailure } from '../connector.js';
import { checkMeterEvent, checkResend, type MeterEventInput, type PostingRef } from './stripe-billing-client.js';
import { batchIdempotencyKey, meterEventIdentifier } from './stripe-keys.js';
import { resolveStripeSettings, checkSecretKey, type StripeClientSettings } from './stripe-settings.js';
import { callStripe } from './stripe-transport.js';

// Stripe's v2 high-throughput meter events: a session (opened with the secret key) gives a token valid
// 15 minutes, and the stream takes up to 100 events a request with that token. A session is reused until
// a minute before it expires; a stream request refused because the session expired (401
// `billing_meter_event_session_expired`) opens a new one and sends the same events once more — harmless,
// since each event's identifier is derived from its posting line and Stripe counts an identifier once
// within 24 hours, and the request's key is derived from those identifiers, so a batch whose answer was
// lost gets Stripe's saved answer when sent again. Stripe checks the events after accepting them: a bad one is reported later by Stripe
// (an event), never in the answer, so everything this module can check is checked before sending.

export const STREAM_BATCH = 100;
const RENEW_BEFORE_MS = 60_000;

export interface StreamedMeterEvent extends MeterEventInput {
  /** With `firstAttemptAt`, an event first sent 23 hours ago or more is refused, as by createMeterEvent. */
  ref: PostingRef;
}

export interface StreamResult {
  /** Events Stripe accepted (not yet validated: Stripe reports bad ones later). */
  sent: number;
  /** Sessions opened by this call (more than one after an expiry). */
  sessionsOpened: number;
}

export interface StripeMeterEventStream {
  send(events: StreamedMeterEvent[], signal?: AbortSignal): Promise<StreamResult>;
}

const isSessionExpiry = (error: unknown) =>
  error instanceof DeliveryFailure && error.detail.code === 'billing_meter_event_session_expired';

export function createStripeMeterEventStream(
  settings: StripeClientSettings,
  secret: string,
  clock: Clock = systemClock,
): StripeMeterEventStream {
  const resolved = resolveStripeSettings(settings);
  const key = checkSecretKey(secret);
  let session: { token: string; expiresAtMs: number } | undefined;

  async function openSession(signal: AbortSignal | undefined) {
    // A fresh key each time: replaying an earlier session would hand back a token that may have expired.
    const idempotencyKey = `mb1:meter_event_session:${randomUUID()}`;
    const { value } = await callStripe(
      { settings: resolved, secret: key, what: 'POST /v2/billing/meter_event_session', now: () => clock.now(), signal },
      (stripe) => stripe.v2.billing.meterEventSession.create({}, { idempotencyKey }),
    );
    const expiresAtMs = Date.parse(value.expires_at);
    session = { token: value.authentication_token, expiresAtMs: Number.isFinite(expiresAtMs) ? expiresAtMs : 0 };
    return session;
  }

  async function stream(token: string, batch: StreamedMeterEvent[], signal: AbortSignal | undefined) {
    const identifiers = batch.map((event) => meterEventIdentifier(event.ref));
    const idempotencyKey = batchIdempotencyKey(identifiers);
    await callStripe(
      {
        settings: resolved,
        secret: token,
        what: `POST /v2/billing/meter_event_stream (${batch.length} events from ${meterEventIdentifier(batch[0]!.ref)})`,
        now: () => clock.now(),
        signal,
      },
      (stripe) =>
        stripe.v2.billing.meterEventStream.create(
          {
            events: batch.map((event, index) => ({
              event_name: event.eventName,
              identifier: identifiers[index]!,
              timestamp: event.timestamp.toISOString(),
              payload: { stripe_customer_id: event.customer, value: event.value },
            })),
          },
          { idempotencyKey },
        ),
    );
  }

  return {
    async send(events, signal) {
      const now = clock.now();
      for (const event of events) {
        checkMeterEvent(event, now);
        checkResend(event.ref, now);
      }
      let sessionsOpened = 0;
      const current = async () => {
        if (session === undefined || session.expiresAtMs - RENEW_BEFORE_MS <= clock.now().getTime()) {
          sessionsOpened += 1;
          return openSession(signal);
        }
        return session;
      };
      let sent = 0;
      for (let start = 0; start < events.length; start += STREAM_BATCH) {
        const batch = events.slice(start, start + STREAM_BATCH);
        try {
          await stream((await current()).token, batch, signal);
        } catch (error) {
          if (!isSessionExpiry(error)) throw error;
          session = undefined;
          await stream((await current()).token, batch, signal);
        }
        sent += batch.length;
      }
      return { sent, sessionsOpened };
    },
  };
}
