import type { Aggregation } from '../catalog/index.js';
import type { UsageWindow } from './usage-window.js';

/** A validated usage query (see `parseUsageQuery`); instants are ISO 8601 in UTC. */
export interface UsageQuery {
  /** Only this customer's records, when set. */
  customer: string | null;
  from: string;
  to: string;
  /** null: one window, [from, to). */
  window: UsageWindow | null;
  /** IANA zone the day and month windows (and hour and minute boundaries) follow. */
  tz: string;
  /** Attribution groups (`customer`, ...) and the meter's groupBy paths, in the asked order. */
  groupBy: string[];
}

export interface UsageQueryLimits {
  /** The most windows one query answers. */
  maxWindows: number;
}

export interface UsageRow {
  /** ISO 8601 in UTC; the first window starts at `from` and the last ends at `to`, whatever the alignment. */
  windowStart: string;
  windowEnd: string;
  /** One value per groupBy name: a record attribute, or the dimension's JSON value (null when absent). */
  groups: Record<string, unknown>;
  /** Exact decimal text, computed on PostgreSQL numeric. */
  value: string;
}

export interface UsageQueryResult {
  meter: string;
  aggregation: Aggregation;
  unit: string;
  customer: string | null;
  from: string;
  to: string;
  window: UsageWindow | null;
  tz: string;
  groupBy: string[];
  rows: UsageRow[];
}
