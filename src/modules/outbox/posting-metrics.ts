import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../../platform/database/database.js';
import { sharedByTwo } from '../../platform/scrape-share.js';
import type { FailureClass } from '../connectors/index.js';
import { countOpenPostings } from './posting-queries.js';
import { listTargetStates } from './target-repository.js';

/** What the dispatcher reports of each settled attempt. */
export interface DeliveryObserver {
  settled(event: {
    targetKey: string;
    outcome: 'delivered' | 'adopted' | 'failed' | 'dead';
    failureClass?: FailureClass;
    statusCode?: number;
    /** From the posting's creation to its delivery, for delivered and adopted postings. */
    latencySeconds?: number;
  }): void;
}

const BREAKER_VALUES = { closed: 0, half_open: 1, open: 2 } as const;

/**
 * Posting health for Prometheus: attempts by target, outcome and failure class, 429s, delivery latency;
 * and, read on each scrape, open postings by target and status, the oldest one's age, each breaker.
 */
export function createPostingMetrics(registry: Registry, db: Database): DeliveryObserver {
  const attempts = new Counter({
    name: 'meterbridge_posting_attempts_total',
    help: 'Delivery attempts by target, outcome (delivered, adopted, failed, dead) and failure class.',
    labelNames: ['target', 'outcome', 'failure_class'],
    registers: [registry],
  });
  const throttled = new Counter({
    name: 'meterbridge_posting_throttled_total',
    help: 'Answers 429 (too many requests) by target.',
    labelNames: ['target'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'meterbridge_posting_delivery_seconds',
    help: "Time from a posting's creation to its delivery (its due time included).",
    labelNames: ['target'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600, 3 * 24 * 3600],
    registers: [registry],
  });
  // One count per scrape, shared by the two gauges that read it; unknown (none) while the database is
  // unreachable, so the scrape still answers with every other metric.
  const openPostings = sharedByTwo(() => countOpenPostings(db).catch(() => []));
  new Gauge({
    name: 'meterbridge_postings',
    help: 'Postings not yet delivered, by target and status (pending, in_flight, retrying, dead).',
    labelNames: ['target', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await openPostings()) this.set({ target: row.targetKey, status: row.status }, row.count);
    },
  });
  new Gauge({
    name: 'meterbridge_posting_oldest_pending_seconds',
    help: 'Age of the oldest posting of each target not yet delivered (pending or retrying).',
    labelNames: ['target'],
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const row of await openPostings())
        if (row.oldest && (row.status === 'pending' || row.status === 'retrying'))
          this.set({ target: row.targetKey }, Math.max(0, (now - row.oldest.getTime()) / 1000));
    },
  });
  new Gauge({
    name: 'meterbridge_posting_breaker_state',
    help: "Each target's circuit breaker: 0 closed, 1 half open (probing), 2 open (nothing is sent).",
    labelNames: ['target'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const state of await listTargetStates(db).catch(() => []))
        this.set({ target: state.targetKey }, BREAKER_VALUES[state.breaker]);
    },
  });
  return {
    settled({ targetKey, outcome, failureClass, statusCode, latencySeconds }) {
      attempts.inc({ target: targetKey, outcome, failure_class: failureClass ?? '' });
      if (statusCode === 429) throttled.inc({ target: targetKey });
      if (latencySeconds !== undefined) latency.observe({ target: targetKey }, latencySeconds);
    },
  };
}
