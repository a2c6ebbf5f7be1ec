// What the metering stage makes of one raw event for one meter: a usage record (billable and
// attributed) or an exception (the meter matched, but the event cannot be billed as it is).

export const EXCEPTION_REASONS = [
  'unknown_subject',
  'no_active_subscription',
  'ambiguous_subscription',
  'missing_value',
  'non_numeric_value',
  'negative_value',
  'beyond_horizon',
] as const;
export type ExceptionReason = (typeof EXCEPTION_REASONS)[number];

/** Attributes shared by a record and an exception: which event, which meter. */
export interface EventMeterKey {
  eventSeq: string;
  meterKey: string;
}

export interface UsageDraft extends EventMeterKey {
  eventTime: Date;
  receivedAt: Date;
  customerKey: string;
  subscriptionKey: string;
  legalEntity: string;
  currency: string;
  /** Exact decimal text, or null for a count meter without a value path. */
  value: string | null;
  /** Canonical JSON of the value (unique_count), or null. */
  distinctKey: string | null;
  dimensions: Record<string, unknown>;
  catalogVersion: number;
  meterEffectiveFrom: string | null;
}

export interface ExceptionDraft extends EventMeterKey {
  reason: ExceptionReason;
  detail: string;
  eventType: string;
  subject: string | null;
  customerKey: string | null;
  eventTime: Date;
}

/** Everything one event yields; `telemetry` when no meter reads it. */
export interface Derivation {
  usage: UsageDraft[];
  exceptions: ExceptionDraft[];
  telemetry: boolean;
}
