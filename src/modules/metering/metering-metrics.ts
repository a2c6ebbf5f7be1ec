import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { sharedByTwo } from '../../platform/scrape-share.js';
import type { MeteringBatch, MeteringObserver } from './metering-stage.js';

/** Counting further than this on every scrape would cost more than the number is worth. */
export const LAG_COUNT_CAP = 1_000_000;

export interface MeteringLag {
  /** Committed raw events the stage has not read yet (at most LAG_COUNT_CAP). */
  events: number;
  /** How long the oldest of them has waited since acceptance; 0 when caught up. */
  seconds: number;
}

/**
 * The stage's health for Prometheus: what each batch produced, how long accepted events took to
 * become usage, and — computed on each scrape — how far behind the log the stage is.
 */
export function createMeteringMetrics(registry: Registry, lag: () => Promise<MeteringLag>): MeteringObserver {
  const events = new Counter({
    name: 'meterbridge_metering_outcomes_total',
    help: 'What the metering stage made of events: usage records, exceptions opened, telemetry events.',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const delay = new Histogram({
    name: 'meterbridge_metering_delay_seconds',
    help: "Time from an event's acceptance to its usage record being committed.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  // One lag query per scrape, shared by both gauges. While the database is unreachable the lag is
  // unknown: NaN, and the scrape still answers with every other metric (a failed collect would fail the
  // whole scrape, process metrics included).
  const sharedLag = sharedByTwo(() => lag().catch(() => ({ events: Number.NaN, seconds: Number.NaN })));
  new Gauge({
    name: 'meterbridge_metering_lag_events',
    help: `Committed raw events the metering stage has not read yet (counted up to ${LAG_COUNT_CAP}).`,
    registers: [registry],
    async collect() {
      this.set((await sharedLag()).events);
    },
  });
  new Gauge({
    name: 'meterbridge_metering_lag_seconds',
    help: 'Seconds the oldest unread raw event has waited since it was accepted (0 when caught up).',
    registers: [registry],
    async collect() {
      this.set((await sharedLag()).seconds);
    },
  });
  return {
    batch(batch: MeteringBatch) {
      if (batch.usage > 0) events.inc({ outcome: 'usage' }, batch.usage);
      if (batch.exceptions > 0) events.inc({ outcome: 'exception' }, batch.exceptions);
      if (batch.telemetry > 0) events.inc({ outcome: 'telemetry' }, batch.telemetry);
      for (const seconds of batch.delaysSeconds) delay.observe(seconds);
    },
  };
}
