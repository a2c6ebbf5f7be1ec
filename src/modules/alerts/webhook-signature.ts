import { createHmac } from 'node:crypto';

// The signature scheme of the webhook posting target (docs/connectors/webhook.md), so one receiver's
// check serves both: `Meterbridge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.

export const SIGNATURE_HEADER = 'meterbridge-signature';

export function signAlertBody(secret: string, body: string, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}
