import type { Queryable } from '../../platform/database/database.js';

/** What a rule finds wrong about one subject now: the alert stays open while a finding is there. */
export interface Finding {
  /** What it is about: a target key, a meter key, `US:2026-10`, `ingestion`. At most 500 characters. */
  subject: string;
  /** One line for a person. */
  summary: string;
  /** What was measured and the threshold it crossed, as exact decimal text. */
  observed?: string;
  threshold?: string;
  /** Ids and figures needed to act (kept as jsonb; numbers as decimal text). */
  details?: Record<string, unknown>;
}

/** What an evaluator may read: the store and the time of this evaluation. */
export interface EvaluationContext {
  db: Queryable;
  now: Date;
}

/**
 * A rule's evaluator: every subject it finds wrong now. A module contributes one through the registry
 * (reconciliation adds its mismatch rule this way); an evaluator that throws leaves its rule's open alerts
 * as they are for this evaluation.
 */
export interface RuleEvaluator {
  /** snake_case, stable: stored with each firing and used as a metric label. */
  rule: string;
  evaluate(context: EvaluationContext): Promise<Finding[]>;
  /** What the rule would also like to say that is not an alert (the silent meter's quiet products). */
  observations?(context: EvaluationContext): Promise<Observation[]>;
}

/** An informational state worth showing next to alerts, never notified. */
export interface Observation {
  rule: string;
  subject: string;
  state: string;
  summary: string;
  details?: Record<string, unknown>;
}

/** A firing, kept: open until `resolvedAt`. */
export interface Alert {
  id: string;
  rule: string;
  subject: string;
  summary: string;
  observed: string | null;
  threshold: string | null;
  details: Record<string, unknown>;
  firedAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
}

export const ALERT_STATES = ['open', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertFilter {
  state?: AlertState;
  rule?: string;
  /** Alerts with a smaller id (newest first paging). */
  beforeId?: string;
}

/** What one evaluation did. */
export interface EvaluationResult {
  evaluatedAt: Date;
  fired: Alert[];
  resolved: Alert[];
  /** Alerts still open, found again (their latest values updated). */
  stillOpen: number;
  observations: Observation[];
  /** Rules whose evaluator failed: their open alerts were left as they were. */
  failures: { rule: string; message: string }[];
}
