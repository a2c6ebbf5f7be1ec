import { Counter, Histogram, type Registry } from 'prom-client';
import type { IngestionObserver } from './ingestion.js';

// Event types are chosen by producers; past this many distinct labels the rest share one, so a
// hostile or buggy producer cannot blow up the metrics' cardinality.
const MAX_TYPE_LABELS = 500;
const OVERFLOW_TYPE = '(other)';

export function createIngestionMetrics(registry: Registry): IngestionObserver {
  const events = new Counter({
    name: 'meterbridge_ingested_events_total',
    help: 'Events received, by event type and outcome (accepted, duplicate, rejected).',
    labelNames: ['type', 'outcome'],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'meterbridge_ingest_batch_size',
    help: 'Events per ingestion request.',
    buckets: [1, 10, 100, 500, 1000, 2000, 5000, 10000],
    registers: [registry],
  });
  const seenTypes = new Set<string>();
  const label = (type: string) => {
    if (seenTypes.has(type)) return type;
    if (seenTypes.size >= MAX_TYPE_LABELS) return OVERFLOW_TYPE;
    seenTypes.add(type);
    return type;
  };
  return {
    observeBatch(size, outcomes) {
      batchSize.observe(size);
      const counts = new Map<string, number>();
      for (const { type, outcome } of outcomes) {
        const key = `${label(type)}\n${outcome}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, count] of counts) {
        const [type, outcome] = key.split('\n') as [string, string];
        events.inc({ type, outcome }, count);
      }
    },
  };
}
