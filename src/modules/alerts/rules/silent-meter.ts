import { Decimal } from 'decimal.js';
import { countRawEventsByTypeInWindows } from '../../ingestion/index.js';
import { countUsageByMeterInWindows } from '../../metering/index.js';
import type { SilentMeterSettings } from '../alert-settings.js';
import type { EvaluationContext, Finding, Observation, RuleEvaluator } from '../alerts.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** A meter the catalog declares now, and the event type it reads. */
export interface MeterSource {
  key: string;
  eventType: string;
}

/** How one meter's last window compares with the same hours of the previous days. */
export interface MeterTraffic {
  meter: string;
  eventType: string;
  /** ok; silent (metering broken: the alert); quiet (the product is quiet); no_baseline (too little history). */
  state: 'ok' | 'silent' | 'quiet' | 'no_baseline';
  usage: string;
  usageBaseline: string;
  rawEvents: string;
  rawBaseline: string;
  window: { start: string; end: string };
}

/**
 * The silent meter (docs/alerts.md): usage records of a meter whose events arrived in the last window
 * (ending `settleMinutes` ago) against the average of the same window on each of the previous
 * `baselineDays` days. Usage at or below `dropBelow` of that baseline has fallen to near zero; then, if
 * the raw events of the meter's type arrived at `rawAtLeast` of their own baseline or more, metering is
 * broken (the alert); if they fell too, the product is quiet (an observation, not an alert).
 */
export function silentMeterRule(settings: SilentMeterSettings, meters: () => Promise<MeterSource[]>): RuleEvaluator {
  const traffic = async (context: EvaluationContext): Promise<MeterTraffic[]> =>
    measure(context, settings, await meters());
  return {
    rule: 'silent_meter',
    async evaluate(context) {
      return (await traffic(context)).filter((meter) => meter.state === 'silent').map(toFinding(settings));
    },
    async observations(context) {
      return (await traffic(context)).filter((meter) => meter.state === 'quiet').map(toObservation);
    },
  };
}

async function measure(
  { db, now }: EvaluationContext,
  settings: SilentMeterSettings,
  meters: MeterSource[],
): Promise<MeterTraffic[]> {
  if (meters.length === 0) return [];
  const end = now.getTime() - settings.settleMinutes * MINUTE_MS;
  const start = end - settings.windowMinutes * MINUTE_MS;
  // Window 0 is the last one; 1..baselineDays the same hours of each previous day.
  const windows = Array.from({ length: settings.baselineDays + 1 }, (_, day) => ({
    start: new Date(start - day * DAY_MS),
    end: new Date(end - day * DAY_MS),
  }));
  const types = [...new Set(meters.map((meter) => meter.eventType))];
  const [usage, raw] = await Promise.all([
    countUsageByMeterInWindows(
      db,
      meters.map((meter) => meter.key),
      windows,
    ),
    countRawEventsByTypeInWindows(db, types, windows),
  ]);
  return meters.map((meter) => {
    const [current = 0, ...previous] = usage.get(meter.key) ?? [];
    const [rawCurrent = 0, ...rawPrevious] = raw.get(meter.eventType) ?? [];
    const baseline = average(previous, settings.baselineDays);
    const rawBaseline = average(rawPrevious, settings.baselineDays);
    let state: MeterTraffic['state'] = 'ok';
    if (baseline.lt(settings.minBaseline)) state = 'no_baseline';
    else if (new Decimal(current).lte(baseline.mul(settings.dropBelow)))
      state =
        rawBaseline.gt(0) && new Decimal(rawCurrent).gte(rawBaseline.mul(settings.rawAtLeast)) ? 'silent' : 'quiet';
    return {
      meter: meter.key,
      eventType: meter.eventType,
      state,
      usage: String(current),
      usageBaseline: baseline.toString(),
      rawEvents: String(rawCurrent),
      rawBaseline: rawBaseline.toString(),
      window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
    };
  });
}

const average = (counts: number[], days: number): Decimal =>
  counts
    .reduce((sum, count) => sum.add(count), new Decimal(0))
    .div(days)
    .toDecimalPlaces(6);

const toFinding =
  (settings: SilentMeterSettings) =>
  (meter: MeterTraffic): Finding => ({
    subject: meter.meter,
    summary: `meter ${meter.meter} metered ${meter.usage} events in its last ${settings.windowMinutes} minutes against a baseline of ${meter.usageBaseline}, while ${meter.rawEvents} ${meter.eventType} events arrived (baseline ${meter.rawBaseline}): metering is broken`,
    observed: meter.usage,
    threshold: new Decimal(meter.usageBaseline).mul(settings.dropBelow).toString(),
    details: { ...meter, state: undefined, dropBelow: settings.dropBelow, rawAtLeast: settings.rawAtLeast },
  });

const toObservation = (meter: MeterTraffic): Observation => ({
  rule: 'silent_meter',
  subject: meter.meter,
  state: 'quiet',
  summary: `meter ${meter.meter} is quiet: ${meter.usage} usage records and ${meter.rawEvents} ${meter.eventType} events in the last window, against baselines of ${meter.usageBaseline} and ${meter.rawBaseline}; the product sends less, metering is not at fault`,
  details: { ...meter },
});
