import type { Connector, ConnectorKind, PostingBody, SecretResolver, TargetDefinition } from '../connector.js';
import { responseFailure, transportFailure } from '../http-failure.js';
import { TARGET_KIND_SPECS } from '../target-kinds.js';
import { signWebhook, SIGNATURE_HEADER } from './webhook-signature.js';

/** The webhook's settings, as the catalog's schema for the kind has checked them. */
interface WebhookSettings {
  url: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

const settingsOf = (target: TargetDefinition): WebhookSettings => target.settings as unknown as WebhookSettings;

/**
 * POSTs each posting as JSON, signed with the target's secret and carrying its external id as the
 * `Idempotency-Key`: the receiver deduplicates on it, so a redelivery after a lost answer is harmless.
 * 2xx delivers; 4xx other than 408, 409 and 429 is permanent; the rest are retried by the outbox.
 */
export function createWebhookConnector(target: TargetDefinition, secrets: SecretResolver): Connector {
  const settings = settingsOf(target);
  return {
    target,
    deliveryTimeoutMs: settings.timeoutMs,
    async deliver(body: PostingBody, signal: AbortSignal) {
      const secret = target.credentials ? await secrets(target.credentials) : undefined;
      const text = JSON.stringify(body);
      const headers: Record<string, string> = {
        ...settings.headers,
        'content-type': 'application/json',
        'idempotency-key': body.externalId,
        'meterbridge-posting-type': body.type,
      };
      if (secret !== undefined) headers[SIGNATURE_HEADER] = signWebhook(secret, text, Math.floor(Date.now() / 1000));
      let response: Response;
      try {
        response = await fetch(settings.url, { method: 'POST', headers, body: text, signal, redirect: 'error' });
      } catch (error) {
        throw transportFailure(error, `POST ${settings.url}`);
      }
      const answer = await response.text().catch(() => '');
      if (!response.ok) throw responseFailure(response.status, answer, response.headers, new Date());
      return { id: documentId(answer) ?? body.externalId };
    },
    // A webhook has no read-back: the receiver's deduplication on the idempotency key stands in for it.
    readsBack: () => false,
    async find() {
      return undefined;
    },
  };
}

/** The receiver's id for what it stored, when it answers JSON with a string `id`. */
function documentId(answer: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(answer);
    if (parsed && typeof parsed === 'object' && 'id' in parsed && typeof parsed.id === 'string') return parsed.id;
  } catch {
    // Not JSON: the external id names the delivery.
  }
  return undefined;
}

export const webhookKind: ConnectorKind = {
  kind: 'webhook',
  modes: TARGET_KIND_SPECS.webhook.modes,
  settingsSchema: TARGET_KIND_SPECS.webhook.settingsSchema,
  create: createWebhookConnector,
};
