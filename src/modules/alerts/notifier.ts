import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logger.js';
import type { SecretResolver } from '../connectors/index.js';
import type { AlertWebhookSettings } from './alert-settings.js';
import { findAlert } from './alert-repository.js';
import { claimNotifications, markDelivered, markFailed, type ClaimedNotification } from './notification-repository.js';
import { toApiAlert } from './to-api-alert.js';
import { signAlertBody, SIGNATURE_HEADER } from './webhook-signature.js';

const LEASE_MS = 5 * 60_000;
const BATCH = 20;
const MAX_BACKOFF_MS = 10 * 60_000;

export interface DeliveryTally {
  delivered: number;
  failed: number;
}

/** The one key of a notification, sent as `Idempotency-Key`: the receiver keeps one of each. */
export const notificationKey = (claim: Pick<ClaimedNotification, 'alertId' | 'kind'>): string =>
  `alert-${claim.alertId}-${claim.kind}`;

/**
 * Delivers due notifications to the webhook: claimed under a lease (one process sends each), POSTed as
 * signed JSON, settled delivered on a 2xx and retried with backoff otherwise (no give-up: an alert's news
 * stays worth telling). A process killed mid-send leaves the lease to run out, and the next claimer sends
 * it again under the same key.
 */
export function createNotifier({
  db,
  clock,
  webhook,
  secrets,
  logger,
}: {
  db: Database;
  clock: Clock;
  webhook: AlertWebhookSettings;
  secrets: SecretResolver;
  logger: Logger;
}) {
  async function send(claim: ClaimedNotification): Promise<void> {
    const alert = await findAlert(db, claim.alertId);
    if (!alert) throw new Error(`alert ${claim.alertId} does not exist`);
    const api = toApiAlert(alert);
    const body = JSON.stringify({
      type: `alert.${claim.kind}`,
      key: notificationKey(claim),
      alert: claim.kind === 'fired' ? { ...api, state: 'open', resolvedAt: null } : api,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': notificationKey(claim),
      'meterbridge-event': `alert.${claim.kind}`,
    };
    if (webhook.secret) {
      const secret = await secrets(webhook.secret);
      headers[SIGNATURE_HEADER] = signAlertBody(secret, body, Math.floor(clock.now().getTime() / 1000));
    }
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(webhook.timeoutMs),
    });
    await response.text().catch(() => '');
    if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
  }

  return {
    /** Sends what is due now, one batch after another until none is left; what each came to. */
    async deliverDue(): Promise<DeliveryTally> {
      const tally: DeliveryTally = { delivered: 0, failed: 0 };
      for (;;) {
        const now = clock.now();
        const claims = await db.transaction((tx) => claimNotifications(tx, now, LEASE_MS, BATCH));
        if (claims.length === 0) return tally;
        for (const claim of claims) {
          try {
            await send(claim);
            await markDelivered(db, claim, clock.now());
            tally.delivered += 1;
          } catch (error) {
            const message = (error as Error).message ?? String(error);
            const backoff = Math.min(MAX_BACKOFF_MS, 5000 * 2 ** Math.min(claim.attempts - 1, 20));
            await markFailed(db, claim, new Date(clock.now().getTime() + backoff), message);
            logger.warn(
              { notification: notificationKey(claim), attempts: claim.attempts, reason: message },
              'alert notification not delivered; retrying',
            );
            tally.failed += 1;
          }
        }
        // A failed one is due again later, not now: the next batch holds only others.
        if (claims.length < BATCH) return tally;
      }
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
