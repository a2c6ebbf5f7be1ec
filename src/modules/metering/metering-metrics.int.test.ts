import { expect, it } from 'vitest';
import { describeEachStore } from '../../../test/harness/stores.js';
import { apiRequest, ingestAll, meteringFixture, supportSession } from '../../../test/fixtures/metering.js';

const metricValue = (text: string, name: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) throw new Error(`no metric ${name}`);
  return Number(line.split(' ').at(-1));
};

describeEachStore('metering metrics', (stores) => {
  it('reports lag in events and seconds, outcomes, and the acceptance-to-usage delay', async () => {
    const db = await stores.fresh();
    const { app, clock } = await meteringFixture(db);
    await ingestAll(app, [
      apiRequest('acme', '2026-10-01T00:00:00Z'),
      apiRequest('acme', '2026-10-01T00:00:01Z', { status: 500 }),
      supportSession('x', '2026-10-01T00:00:00Z', { duration_hours: 1 }),
    ]);
    clock.advance(30_000);
    let text = await app.metrics.metrics();
    expect(metricValue(text, 'meterbridge_metering_lag_events')).toBe(3);
    expect(metricValue(text, 'meterbridge_metering_lag_seconds')).toBe(30);

    await app.metering.stage.runUntilCaughtUp();
    text = await app.metrics.metrics();
    expect(metricValue(text, 'meterbridge_metering_lag_events')).toBe(0);
    expect(metricValue(text, 'meterbridge_metering_lag_seconds')).toBe(0);
    expect(text).toContain('meterbridge_metering_outcomes_total{outcome="usage"} 1');
    expect(text).toContain('meterbridge_metering_outcomes_total{outcome="exception"} 1');
    expect(text).toContain('meterbridge_metering_outcomes_total{outcome="telemetry"} 1');
    expect(metricValue(text, 'meterbridge_metering_delay_seconds_count')).toBe(1);
    expect(metricValue(text, 'meterbridge_metering_delay_seconds_sum')).toBe(30);
    expect(await app.metering.lag()).toEqual({ events: 0, seconds: 0 });
  });
});
