import { describe, expect, it } from 'vitest';
import { FaultSettingsError, parseFaultSettings } from './fault-settings.js';

describe('parseFaultSettings', () => {
  it('reads the fields given, an outage relative or absolute, and null to end one', () => {
    expect(
      parseFaultSettings(
        { latencyMs: 5, errorRate: 0.25, windowRequests: 10, windowMs: 1000, outage: { mode: 'refuse', forMs: 100 } },
        1000,
      ),
    ).toEqual({
      latencyMs: 5,
      errorRate: 0.25,
      windowRequests: 10,
      windowMs: 1000,
      outage: { mode: 'refuse', untilMs: 1100 },
    });
    expect(parseFaultSettings({ outage: null, retryAfterSeconds: null }, 0)).toEqual({
      outage: undefined,
      retryAfterSeconds: undefined,
    });
    expect(parseFaultSettings({ retryAfterSeconds: 30 }, 0)).toEqual({ retryAfterSeconds: 30 });
  });

  it('reports every problem together', () => {
    let error: unknown;
    try {
      parseFaultSettings(
        { errorRate: -0.1, concurrency: 0, slowMs: 1.5, outage: { mode: 'down' }, x: 1, windowMs: 0 },
        0,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FaultSettingsError);
    expect((error as FaultSettingsError).problems).toHaveLength(6);
  });
});
