import type { ConformanceFaults, ConformanceTarget, RunningEmulator } from './conformance-target.js';

// What the emulators of this repository have in common, so that each target's adapter states only what
// its vendor does differently: the faults every emulator takes by the same names, and the outcome counts
// every emulator keeps.

/** The suite's faults in the settings every emulator takes alike (an outage lasts until it is lifted). */
export function sharedFaultSettings({ latencyMs, outage, dropAfterCommitRate, errorRate }: ConformanceFaults) {
  return {
    latencyMs: latencyMs ?? 0,
    outage: outage && {
      mode: outage === 'refuse' ? ('refuse' as const) : ('503' as const),
      untilMs: Date.now() + 3_600_000,
    },
    dropAfterCommitRate: dropAfterCommitRate ?? 0,
    errorRate: errorRate ?? 0,
  };
}

/** The suite's counts from an emulator's outcome counters. */
export function countsFromOutcomes(outcomes: {
  concurrencyLimited: number;
  rateLimited: number;
  droppedAfterCommit: number;
}): { throttled: number; droppedAfterCommit: number } {
  return {
    throttled: outcomes.concurrencyLimited + outcomes.rateLimited,
    droppedAfterCommit: outcomes.droppedAfterCommit,
  };
}

/** A running emulator that also tells how many requests it answered in all, refused ones included. */
export interface CountingEmulator extends RunningEmulator {
  requests(): number;
}

/**
 * A target whose emulator counts its requests (the posting benchmark reads them for its utilization);
 * to the suite it is a ConformanceTarget like any other.
 */
export interface CountingTarget extends ConformanceTarget {
  start(): Promise<CountingEmulator>;
}
