import type { Queryable } from '../../platform/database/database.js';

/** What an objective's measure counts over its window. */
export interface Measurement {
  met: string;
  missed: string;
  pending: string;
  /** The observed duration at the target share, in seconds (the p99 for a 0.99 target). */
  quantileSeconds: string | null;
}

/**
 * An objective's measure: a module contributes one through the registry (reconciliation adds "reconciled
 * within 24 h of posting" this way).
 */
export interface ObjectiveEvaluator {
  /** snake_case, stable: a metric label. */
  objective: string;
  description: string;
  target: string;
  windowDays: number;
  measure(context: { db: Queryable; now: Date; window: { start: Date; end: Date } }): Promise<Measurement>;
}

/** One objective's attainment over its window. */
export interface ObjectiveReport {
  objective: string;
  description: string;
  /** met: attainment at or above target; missed: below; no_data: nothing to measure in the window. */
  status: 'met' | 'missed' | 'no_data';
  target: string;
  /** met / (met + missed), six decimals rounded down; null without data. */
  attainment: string | null;
  met: string;
  missed: string;
  pending: string;
  quantileSeconds: string | null;
  window: { start: string; end: string; days: number };
}

export interface ServiceLevelReport {
  at: string;
  objectives: ObjectiveReport[];
  failures: { objective: string; message: string }[];
}
