import type { Customer, Meter } from '../catalog/index.js';
import type { RawEvent } from '../ingestion/index.js';
import { dimensionsOf, matchesFilter, pickedReader, readValue, type DataReader } from './event-values.js';
import { definitionAt, type MeterDefinition, type MeteringIndex, type SubscriptionSpan } from './metering-index.js';
import type { Derivation, ExceptionDraft, ExceptionReason, UsageDraft } from './usage.js';

/** A raw event with the JSON text at each of the index's data paths (same order; null when missing), read exactly. */
export type MeterableEvent = Pick<RawEvent, 'seq' | 'type' | 'subject' | 'time' | 'receivedAt'> & {
  values: readonly (string | null)[];
};

type Attribution =
  { customer: Customer; span: SubscriptionSpan } | { reason: ExceptionReason; detail: string; customer?: Customer };

function attribute(index: MeteringIndex, event: MeterableEvent, meter: Meter): Attribution {
  if (event.subject === null) return { reason: 'unknown_subject', detail: 'the event has no subject' };
  const customer = index.customerFor(event.subject);
  if (!customer)
    return {
      reason: 'unknown_subject',
      detail: `subject ${JSON.stringify(event.subject)} is no customer's key or alias`,
    };
  const timeMs = event.time.getTime();
  const active = index.subscriptionsOf(customer.key).filter((span) => span.startMs <= timeMs && timeMs < span.endMs);
  const charging = active.filter((span) => span.meters.has(meter.key));
  // Prefer the subscription whose plan charges this meter; usage under another plan is still
  // recorded (and billed by nothing) rather than hidden.
  const candidates = charging.length > 0 ? charging : active;
  const at = event.time.toISOString();
  if (candidates.length === 0) {
    return {
      reason: 'no_active_subscription',
      detail: `customer ${customer.key} has no subscription active at ${at}`,
      customer,
    };
  }
  if (candidates.length > 1) {
    const keys = candidates.map((span) => span.subscription.key).join(', ');
    return {
      reason: 'ambiguous_subscription',
      detail: `customer ${customer.key} has ${candidates.length} subscriptions active at ${at} for meter ${meter.key}: ${keys}`,
      customer,
    };
  }
  return { customer, span: candidates[0] as SubscriptionSpan };
}

type Measure = { value: string | null; distinctKey: string | null } | { reason: ExceptionReason; detail: string };

function measure(index: MeteringIndex, event: MeterableEvent, meter: Meter): Measure {
  if (!meter.valuePath) return { value: null, distinctKey: null };
  const reading = readValue(event.values[index.pathPositions.get(meter.valuePath) ?? -1] ?? null);
  const where = `data.${meter.valuePath}`;
  if (meter.aggregation === 'count') {
    // A count counts events; a value, when there is a decimal one, is kept but never required.
    return { value: reading.kind === 'decimal' ? reading.text : null, distinctKey: null };
  }
  if (reading.kind === 'missing') return { reason: 'missing_value', detail: `${where} is missing or null` };
  if (meter.aggregation === 'unique_count') {
    return { value: reading.kind === 'decimal' ? reading.text : null, distinctKey: reading.json };
  }
  if (reading.kind === 'other') return { reason: 'non_numeric_value', detail: `${where} ${reading.why}` };
  if (reading.negative && !meter.allowNegative) {
    return {
      reason: 'negative_value',
      detail: `${where} is ${reading.text} and meter ${meter.key} does not allow negative values`,
    };
  }
  return { value: reading.text, distinctKey: null };
}

function exception(
  event: MeterableEvent,
  meter: Meter,
  reason: ExceptionReason,
  detail: string,
  customer?: Customer,
): ExceptionDraft {
  return {
    eventSeq: event.seq,
    meterKey: meter.key,
    reason,
    detail,
    eventType: event.type,
    subject: event.subject,
    customerKey: customer?.key ?? null,
    eventTime: event.time,
  };
}

/** How far back usage may reach when it arrives, and whether a person has accepted events beyond it. */
export interface DeriveOptions {
  horizonMs: number;
  acceptBeyondHorizon?: boolean;
}

export const DEFAULT_HORIZON_DAYS = 90;

function beyondHorizon(event: MeterableEvent, options: DeriveOptions): string | undefined {
  const age = event.receivedAt.getTime() - event.time.getTime();
  if (options.acceptBeyondHorizon || age <= options.horizonMs) return undefined;
  const days = Math.floor(age / 86_400_000);
  return `the event arrived ${days} days after its time, beyond the ${Math.round(options.horizonMs / 86_400_000)}-day horizon: a person must accept it (reprocess with acceptBeyondHorizon) or ignore it`;
}

function deriveForMeter(
  index: MeteringIndex,
  event: MeterableEvent,
  read: DataReader,
  definition: MeterDefinition,
  options: DeriveOptions,
): UsageDraft | ExceptionDraft {
  const meter = definition.meter;
  const tooLate = beyondHorizon(event, options);
  if (tooLate) return exception(event, meter, 'beyond_horizon', tooLate);
  const attribution = attribute(index, event, meter);
  if ('reason' in attribution)
    return exception(event, meter, attribution.reason, attribution.detail, attribution.customer);
  const measured = measure(index, event, meter);
  if ('reason' in measured) return exception(event, meter, measured.reason, measured.detail, attribution.customer);
  const { customer, span } = attribution;
  return {
    eventSeq: event.seq,
    meterKey: meter.key,
    eventTime: event.time,
    receivedAt: event.receivedAt,
    customerKey: customer.key,
    subscriptionKey: span.subscription.key,
    legalEntity: customer.legalEntity,
    currency: customer.currency,
    value: measured.value,
    distinctKey: measured.distinctKey,
    dimensions: dimensionsOf(read, meter.groupBy),
    catalogVersion: index.version,
    meterEffectiveFrom: definition.effectiveFrom,
  };
}

/**
 * What one event yields under the catalog index: for each meter whose definition in force at the
 * event's time reads it, a usage record or an exception; telemetry when none does. Pure: the same
 * event and catalog always give the same result (replay relies on it).
 */
export function deriveEvent(
  index: MeteringIndex,
  event: MeterableEvent,
  options: DeriveOptions = { horizonMs: DEFAULT_HORIZON_DAYS * 86_400_000 },
): Derivation {
  const derivation: Derivation = { usage: [], exceptions: [], telemetry: true };
  const timeMs = event.time.getTime();
  const read = pickedReader(index.pathPositions, event.values);
  for (const definitions of index.metersFor(event.type)) {
    const definition = definitionAt(definitions, timeMs);
    if (!definition || definition.meter.eventType !== event.type || !matchesFilter(read, definition.meter.filter))
      continue;
    derivation.telemetry = false;
    const result = deriveForMeter(index, event, read, definition, options);
    if ('reason' in result) derivation.exceptions.push(result);
    else derivation.usage.push(result);
  }
  return derivation;
}
