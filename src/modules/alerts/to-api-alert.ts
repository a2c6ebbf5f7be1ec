import type { Alert } from './alerts.js';

/** An alert as the API, the webhook and the command line show it. */
export interface ApiAlert {
  id: string;
  rule: string;
  subject: string;
  state: 'open' | 'resolved';
  summary: string;
  observed: string | null;
  threshold: string | null;
  details: Record<string, unknown>;
  firedAt: string;
  lastSeenAt: string;
  resolvedAt: string | null;
}

export function toApiAlert(alert: Alert): ApiAlert {
  return {
    id: alert.id,
    rule: alert.rule,
    subject: alert.subject,
    state: alert.resolvedAt ? 'resolved' : 'open',
    summary: alert.summary,
    observed: alert.observed,
    threshold: alert.threshold,
    details: alert.details,
    firedAt: alert.firedAt.toISOString(),
    lastSeenAt: alert.lastSeenAt.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
  };
}
