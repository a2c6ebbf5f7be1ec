import { parse as parseYaml } from 'yaml';
import { referenceCatalogYaml } from '../test/fixtures/reference-catalog.js';
import { generateEvents } from './event-generator.js';

/** Customers generated into the reference catalog, each with one alias and one `growth` subscription. */
export const DEFAULT_BENCH_CUSTOMERS = 1000;

export const TELEMETRY_TYPE = 'com.example.page.view';

export type MeteringOutcome = 'usage' | 'exception' | 'telemetry';

export interface OutcomeCounts {
  usage: number;
  exceptions: number;
  telemetry: number;
}

const aliasOf = (customer: number) => `acct_b${customer}`;

/**
 * The reference catalog of docs/catalog.md, extended with `customers` generated customers (keys
 * `bench-c<i>`, alias `acct_b<i>`), split over the US and EU legal entities, each subscribed to
 * `growth` from 2026-01-01. JSON text, to be applied as `catalog.json`.
 */
export function meteringCatalogJson(customers = DEFAULT_BENCH_CUSTOMERS): string {
  const document = parseYaml(referenceCatalogYaml()) as { customers: unknown[]; subscriptions: unknown[] };
  for (let i = 0; i < customers; i += 1) {
    const us = i % 2 === 0;
    document.customers.push({
      key: `bench-c${i}`,
      name: `Bench customer ${i}`,
      legalEntity: us ? 'US' : 'EU',
      currency: us ? 'USD' : 'EUR',
      taxRegion: us ? 'US-CA' : 'DE',
      aliases: [aliasOf(i)],
    });
    document.subscriptions.push({
      key: `bench-c${i}-growth`,
      customer: `bench-c${i}`,
      plan: 'growth',
      start: '2026-01-01T00:00:00Z',
      billingPeriod: 'month',
      anchorDay: 1,
      latePolicy: 'roll_forward',
    });
  }
  return JSON.stringify(document);
}

/**
 * What event n is, by n % 100: 0 an API request from an unknown subject (exception, 1 %), 1–5 a
 * page view no meter reads (telemetry, 5 %), 6–8 a storage snapshot (3 %), 9 a premium support
 * session (1 %), the rest API requests from customers' aliases (90 %). Every event yields exactly one
 * outcome, so the expected counts follow from n alone.
 */
export function outcomeOf(n: number): MeteringOutcome {
  const r = n % 100;
  if (r === 0) return 'exception';
  if (r <= 5) return 'telemetry';
  return 'usage';
}

export function expectedOutcomes(count: number, offset = 0): OutcomeCounts {
  const counts: OutcomeCounts = { usage: 0, exceptions: 0, telemetry: 0 };
  for (let n = offset; n < offset + count; n += 1) {
    const outcome = outcomeOf(n);
    if (outcome === 'usage') counts.usage += 1;
    else if (outcome === 'exception') counts.exceptions += 1;
    else counts.telemetry += 1;
  }
  return counts;
}

/**
 * Events the reference catalog meters, built on the ingestion benchmark's generator (its random-looking
 * ids and October 2026 event times); deterministic per seed.
 */
export function generateMeteringEvents(
  count: number,
  offset = 0,
  seed = 'metering',
  customers = DEFAULT_BENCH_CUSTOMERS,
): Array<Record<string, unknown>> {
  const events = generateEvents(count, offset, seed);
  for (let i = 0; i < count; i += 1) {
    const n = offset + i;
    const event = events[i] as Record<string, unknown>;
    const base = event.data as { tokens: number; region: string };
    const subject = aliasOf((n * 7919) % customers);
    event.source = 'bench/metering';
    const r = n % 100;
    if (r === 0) {
      event.type = 'com.example.api.request';
      event.subject = `acct_unknown_${n % 97}`;
      event.data = { status: 200, billable: true, region: base.region };
    } else if (r <= 5) {
      event.type = TELEMETRY_TYPE;
      event.subject = subject;
      event.data = { path: `/docs/${base.tokens % 50}`, region: base.region };
    } else if (r <= 8) {
      event.type = 'com.example.storage.snapshot';
      event.subject = subject;
      event.data = { usage: { gigabytes: (base.tokens % 2000) / 4 } };
    } else if (r === 9) {
      event.type = 'com.example.support.session';
      event.subject = subject;
      event.data = { tier: 'premium', duration_hours: ((n % 8) + 1) / 4 };
    } else {
      event.type = 'com.example.api.request';
      event.subject = subject;
      event.data = {
        status: [200, 201, 202][n % 3],
        billable: true,
        region: base.region === 'us-east' ? 'us' : 'eu',
        tokens: base.tokens,
      };
    }
  }
  return events;
}
