import { describe, expect, it } from 'vitest';
import { createTargetPace } from './target-pace.js';

// Reconciliation's share of a target's rate, counted per request a read sends: a connector that paces
// each of its requests is spaced request by request, and one that paces none is charged one per read.

function recording() {
  const waits: number[] = [];
  return { waits, wait: async (ms: number) => void waits.push(ms) };
}

describe("a target's pace", () => {
  it('spaces every request a read sends at half the rate, the first at once', async () => {
    const { waits, wait } = recording();
    const target = createTargetPace(20, wait); // 10 requests a second for reconciliation: 100 ms apart
    await target.read(async (pace) => {
      for (let page = 0; page < 3; page += 1) await pace();
    });
    expect(target.requests()).toBe(3);
    // The recording wait returns at once: each turn is its offset from the first request, 100 ms apart.
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(50);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeGreaterThan(150);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it("charges a read's first request before it begins, whether or not its connector paces it", async () => {
    const { waits, wait } = recording();
    const target = createTargetPace(2, wait); // one a second
    expect(await target.read(async () => 'held')).toBe('held');
    await expect(target.read(async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(target.requests()).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(900);
  });

  it('waits for a place while deliveries hold every one, then for its shared slot, and gives the place back', async () => {
    const { waits, wait } = recording();
    const answers: (number | undefined)[] = [undefined, undefined, 50];
    let released = 0;
    const target = createTargetPace(1000, wait, {
      reserve: async () => answers.shift(),
      release: async () => void (released += 1),
    });
    await target.read(async (pace) => pace());
    expect(waits).toEqual([200, 200, 50]);
    expect(target.requests()).toBe(1);
    expect(released).toBe(1);
  });
});
