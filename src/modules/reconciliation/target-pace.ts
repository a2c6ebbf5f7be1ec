import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadPace } from '../connectors/index.js';

// Reconciliation's share of a target's rate: at most half its requests per second, so deliveries keep
// the other half. One pace per target for the whole run — its read-back, its listing, its meters' sums —
// spaces every request a read sends: the connector awaits the pace before each (every page, every part
// of a look-up). A read whose connector paced none of its requests is charged one request after it, so
// even a connector that does not take the pace is held to one read per turn.

export interface TargetPace {
  /** Waits for the next request's turn, and counts it. */
  pace: ReadPace;
  /** Requests counted so far. */
  requests(): number;
  /** Makes one read with the pace handed to the connector. */
  read<T>(read: (pace: ReadPace) => Promise<T>): Promise<T>;
}

export function createTargetPace(
  requestsPerSecond: number,
  wait: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
): TargetPace {
  const gapMs = 1000 / Math.max(requestsPerSecond / 2, 0.01);
  let nextAt = 0;
  let sent = 0;
  const pace = async (): Promise<void> => {
    const now = Date.now();
    const turn = Math.max(now, nextAt);
    nextAt = turn + gapMs;
    sent += 1;
    if (turn > now) await wait(turn - now);
  };
  return {
    pace,
    requests: () => sent,
    async read(read) {
      const before = sent;
      try {
        return await read(pace);
      } finally {
        if (sent === before) await pace();
      }
    },
  };
}
