import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMeteringMetrics } from './metering-metrics.js';

describe('metering metrics', () => {
  it('reports the lag as NaN when it cannot be read, and the scrape still answers', async () => {
    const registry = new Registry();
    createMeteringMetrics(registry, () => Promise.reject(new Error('connection terminated')));
    const text = await registry.metrics();
    // prom-client writes "Nan"; Prometheus reads any case of NaN.
    expect(text).toMatch(/^meterbridge_metering_lag_events nan$/im);
    expect(text).toMatch(/^meterbridge_metering_lag_seconds nan$/im);
    expect(text).toContain('meterbridge_metering_delay_seconds_count 0');
  });

  it('reports the lag read once per scrape', async () => {
    const registry = new Registry();
    let reads = 0;
    createMeteringMetrics(registry, async () => ({ events: ++reads * 10, seconds: 1.5 }));
    expect(await registry.metrics()).toContain('meterbridge_metering_lag_events 10');
    expect(await registry.metrics()).toContain('meterbridge_metering_lag_events 20');
    expect(reads).toBe(2);
  });
});
