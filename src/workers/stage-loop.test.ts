import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../platform/database/connection-errors.js';
import { silentLogger } from '../platform/logger.js';
import { startStageLoop } from './stage-loop.js';

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
};

describe('startStageLoop', () => {
  it('steps back to back while there is more, then polls', async () => {
    const results = [true, true, false, false];
    let calls = 0;
    const loop = startStageLoop({
      name: 't',
      step: async () => results[calls++] ?? false,
      pollIntervalMs: 10,
      logger: silentLogger,
    });
    await waitFor(() => calls >= 4);
    await loop.stop();
    const stoppedAt = calls;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(calls).toBe(stoppedAt);
  });

  it('keeps going after failures, backing off, and logs each one', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (details: unknown) => errors.push(details), info: () => undefined };
    const loop = startStageLoop({
      name: 't',
      step: async () => {
        calls += 1;
        if (calls <= 2) throw new Error('store down');
        return false;
      },
      pollIntervalMs: 5,
      maxBackoffMs: 20,
      logger: logger as typeof silentLogger,
    });
    await waitFor(() => calls >= 3);
    await loop.stop();
    expect(errors).toEqual([
      expect.objectContaining({ stage: 't', failures: 1, retryInMs: 10 }),
      expect.objectContaining({ stage: 't', failures: 2, retryInMs: 20 }),
    ]);
  });

  it('warns once when the database becomes unavailable, however many steps fail, and once more when it resumes', async () => {
    let calls = 0;
    const lines: Array<{ level: string; message: string }> = [];
    const record = (level: string) => (_details: unknown, message: string) => lines.push({ level, message });
    const logger = { ...silentLogger, error: record('error'), warn: record('warn'), info: record('info') };
    const loop = startStageLoop({
      name: 't',
      step: async () => {
        calls += 1;
        if (calls <= 4)
          throw new DatabaseUnavailableError(
            Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
          );
        return false;
      },
      pollIntervalMs: 1,
      maxBackoffMs: 4,
      logger: logger as unknown as typeof silentLogger,
    });
    await waitFor(() => calls >= 5);
    await loop.stop();
    expect(lines).toEqual([
      { level: 'warn', message: 'stage paused: the database is unavailable; retrying with backoff' },
      { level: 'info', message: 'stage resumed: the database is reachable again' },
    ]);
  });

  it('stops promptly while idle, without waiting out the poll interval', async () => {
    const loop = startStageLoop({ name: 't', step: async () => false, pollIntervalMs: 60_000, logger: silentLogger });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const started = Date.now();
    await loop.stop();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
