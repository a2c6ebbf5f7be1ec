import { setTimeout as sleep } from 'node:timers/promises';

export interface PacedLoadResult {
  events: number;
  accepted: number;
  seconds: number;
  eventsPerSecond: number;
  /** How far behind its schedule the latest request was sent (0 when the pace was always kept). */
  maxBehindMs: number;
  p50RequestMs: number;
  p99RequestMs: number;
}

/**
 * Sends pre-serialized batch bodies at a steady pace: body k is due `k × eventsPerBody / rate`
 * seconds after the start, sent by whichever of `connections` concurrent senders is free. A server
 * that cannot keep up makes sends fall behind their schedule, which lowers the achieved rate.
 */
export async function runPacedLoad(
  url: string,
  apiKey: string,
  bodies: readonly string[],
  eventsPerBody: number,
  rate: number,
  connections: number,
): Promise<PacedLoadResult> {
  const intervalMs = (eventsPerBody / rate) * 1000;
  const started = performance.now();
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  let maxBehindMs = 0;
  const sender = async () => {
    while (next < bodies.length) {
      const k = next++;
      const wait = started + k * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      else maxBehindMs = Math.max(maxBehindMs, -wait);
      const sent = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${apiKey}` },
        body: bodies[k] as string,
      });
      const result = (await response.json()) as { accepted: number };
      if (response.status !== 200)
        throw new Error(`ingest answered ${response.status}: ${JSON.stringify(result).slice(0, 500)}`);
      latencies.push(performance.now() - sent);
      accepted += result.accepted;
    }
  };
  await Promise.all(Array.from({ length: connections }, sender));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const events = bodies.length * eventsPerBody;
  return {
    events,
    accepted,
    seconds,
    eventsPerSecond: events / seconds,
    maxBehindMs,
    p50RequestMs: percentileOf(latencies, 0.5),
    p99RequestMs: percentileOf(latencies, 0.99),
  };
}

/** The value at quantile q of sorted values (nearest rank). */
export function percentileOf(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export interface MeteringScrape {
  lagEvents: number;
  lagSeconds: number;
  /** usage + exception + telemetry outcomes counted so far. */
  outcomes: number;
  /** Cumulative histogram buckets of meterbridge_metering_delay_seconds, by upper bound (Infinity last). */
  delayBuckets: Array<{ le: number; count: number }>;
}

/** The metering figures of one Prometheus text scrape. */
export function parseMeteringMetrics(text: string): MeteringScrape {
  const scrape: MeteringScrape = { lagEvents: 0, lagSeconds: 0, outcomes: 0, delayBuckets: [] };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('meterbridge_metering_lag_events ')) scrape.lagEvents = value;
    else if (line.startsWith('meterbridge_metering_lag_seconds ')) scrape.lagSeconds = value;
    else if (line.startsWith('meterbridge_metering_outcomes_total{')) scrape.outcomes += value;
    else if (line.startsWith('meterbridge_metering_delay_seconds_bucket{')) {
      const le = /le="([^"]+)"/.exec(line)?.[1] ?? '+Inf';
      scrape.delayBuckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: value });
    }
  }
  scrape.delayBuckets.sort((a, b) => a.le - b.le);
  return scrape;
}

/** The upper bound of the first bucket whose cumulative count reaches quantile q (Infinity past the last). */
export function bucketQuantile(buckets: ReadonlyArray<{ le: number; count: number }>, q: number): number {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  return (buckets.find((bucket) => bucket.count >= q * total) as { le: number }).le;
}

export async function scrapeMetering(baseUrl: string): Promise<MeteringScrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return parseMeteringMetrics(await response.text());
}
