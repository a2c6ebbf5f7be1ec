import { createHash } from 'node:crypto';

/** A UUID-shaped id that looks random (the dedup index's worst case) but is the same for the same seed and n. */
function eventId(seed: string, n: number): string {
  const hex = createHash('sha256').update(`${seed}:${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Realistic usage events: random-looking client-chosen ids, a thousand customers, a month of event
 * times, a small data object matching the benchmark schema. Deterministic per seed, so that separate
 * processes (the ceiling's, the load generator's) work on the very same events.
 */
export function generateEvents(count: number, offset = 0, seed = 'bench'): Array<Record<string, unknown>> {
  const monthStart = Date.parse('2026-10-01T00:00:00Z');
  const models = ['small', 'medium', 'large'];
  const regions = ['us-east', 'eu-west'];
  const events: Array<Record<string, unknown>> = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const n = offset + i;
    events[i] = {
      specversion: '1.0',
      id: eventId(seed, n),
      source: 'bench/product',
      type: 'api.request',
      subject: `customer-${n % 1000}`,
      time: new Date(monthStart + ((n * 2_654_435) % (30 * 86_400_000))).toISOString(),
      data: { tokens: (n * 7919) % 5000, model: models[n % 3], region: regions[n % 2] },
    };
  }
  return events;
}

export const BENCH_SCHEMA = {
  type: 'object',
  required: ['tokens', 'model'],
  properties: {
    tokens: { type: 'integer', minimum: 0 },
    model: { type: 'string', enum: ['small', 'medium', 'large'] },
    region: { type: 'string' },
  },
};

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
