export interface LoadResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  accepted: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Sends pre-serialized batch bodies over `connections` concurrent keep-alive connections and
 * measures each request. Bounded: every body is sent once, and any non-200 answer stops the run.
 */
export async function runHttpLoad(
  url: string,
  apiKey: string,
  bodies: readonly string[],
  eventsPerBody: number,
  connections: number,
  onProgress?: (done: number) => void,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string;
      const sent = process.hrtime.bigint();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${apiKey}` },
        body,
      });
      const result = (await response.json()) as { accepted: number };
      if (response.status !== 200)
        throw new Error(`ingest answered ${response.status}: ${JSON.stringify(result).slice(0, 500)}`);
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      accepted += result.accepted;
      onProgress?.(latencies.length);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const events = bodies.length * eventsPerBody;
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    accepted,
  };
}
