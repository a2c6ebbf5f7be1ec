import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadPace } from '../connectors/index.js';

// Reconciliation's share of a target's rate: at most half its requests per second, so deliveries keep
// the other half. One pace per target for the whole run — its read-back, its listing, its meters' sums —
// spaces every request a read sends: the connector awaits the pace before each (every page, every part
// of a look-up). A read's first request is charged before it begins, so even a connector that does not
// take the pace is held to one read per turn. Each request also takes a
// slot of the target's rate and one of its places, shared with deliveries (the outbox's), so that reads
// and deliveries together stay within the target's limits, in every process: while deliveries hold every
// place, a read waits for one.

/** How long a read waits at most for its shared slot: deliveries reserve a few slots ahead, never many. */
const MAX_SLOT_WAIT_MS = 10_000;
/** While deliveries hold every place, a read asks again this often, this long at most, then goes anyway. */
const PLACE_POLL_MS = 200;
const MAX_PLACE_WAIT_MS = 120_000;

/** The target's rate and places shared with deliveries (the outbox's). */
export interface SharedTargetLimits {
  /** Reserves a slot and a place: ms until the slot, or undefined while deliveries hold every place. */
  reserve(): Promise<number | undefined>;
  /** Gives the place back when a read ends. */
  release(): Promise<void>;
}

export interface TargetPace {
  /** Requests counted so far. */
  requests(): number;
  /**
   * Makes one read with the pace handed to the connector: its first request's turn is taken before `read`
   * is called (start the read's timeout inside it), and each later request's when the connector paces it.
   */
  read<T>(read: (pace: ReadPace) => Promise<T>): Promise<T>;
}

export function createTargetPace(
  requestsPerSecond: number,
  wait: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  /** Absent: reads are the target's only traffic (a test, the bench's bare read-back). */
  shared?: SharedTargetLimits,
): TargetPace {
  const gapMs = 1000 / Math.max(requestsPerSecond / 2, 0.01);
  let nextAt = 0;
  let sent = 0;
  /** Waits for a request's turn: reconciliation's share, then a slot and a place shared with deliveries. */
  const turn = async (): Promise<void> => {
    const now = Date.now();
    const at = Math.max(now, nextAt);
    nextAt = at + gapMs;
    sent += 1;
    if (at > now) await wait(at - now);
    if (!shared) return;
    for (let waited = 0; ; waited += PLACE_POLL_MS) {
      const slotInMs = await shared.reserve();
      if (slotInMs !== undefined) {
        if (slotInMs > 0) await wait(Math.min(slotInMs, MAX_SLOT_WAIT_MS));
        return;
      }
      if (waited >= MAX_PLACE_WAIT_MS) return;
      await wait(PLACE_POLL_MS);
    }
  };
  return {
    requests: () => sent,
    async read(read) {
      // The read's first request takes its turn before the read begins, so that waiting for it does not
      // count against the read's own timeout (the caller starts that inside `read`); later ones wait in it.
      await turn();
      let first = true;
      const pace = async (): Promise<void> => {
        if (first) first = false;
        else await turn();
      };
      try {
        return await read(pace);
      } finally {
        await shared?.release();
      }
    },
  };
}
