import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

// The faults every emulator injects around a request's work, kept in one place so that they stay in
// the same order and draw from the seeded random source the same way in each. What the vendor answers
// (its error pages and bodies) stays with each emulator.

export interface RequestFaults {
  latencyMs: number;
  errorRate: number;
  dropAfterCommitRate: number;
  slowMs: number;
}

export interface FaultTools {
  stats: { count(outcome: 'injectedError' | 'droppedAfterCommit' | 'slowed'): void };
  random: () => number;
  /** Aborted by close(): a delay in progress ends with the emulator. */
  signal: AbortSignal;
}

/** Waits the injected latency, then draws whether to answer an injected 5xx instead (nothing is done then). */
export async function injectsError(faults: Pick<RequestFaults, 'latencyMs' | 'errorRate'>, tools: FaultTools) {
  if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal: tools.signal });
  if (faults.errorRate > 0 && tools.random() < faults.errorRate) {
    tools.stats.count('injectedError');
    return true;
  }
  return false;
}

/**
 * After the work is done: drops the connection of a committed write (the client cannot know it
 * happened) or holds the answer back; false when there is no one left to answer.
 */
export async function mayAnswer(
  request: IncomingMessage,
  response: ServerResponse,
  committed: boolean | undefined,
  faults: Pick<RequestFaults, 'dropAfterCommitRate' | 'slowMs'>,
  tools: FaultTools,
): Promise<boolean> {
  if (committed === true && faults.dropAfterCommitRate > 0 && tools.random() < faults.dropAfterCommitRate) {
    tools.stats.count('droppedAfterCommit');
    request.socket.destroy();
    return false;
  }
  if (faults.slowMs > 0) {
    tools.stats.count('slowed');
    await sleep(faults.slowMs, undefined, { signal: tools.signal });
  }
  return !response.destroyed;
}

/** Only a delay cut short by close() is expected here: the connection goes with the emulator. */
export function cutAfterFailure(
  request: IncomingMessage,
  error: unknown,
  signal: AbortSignal,
  log: (message: string) => void,
) {
  if (!signal.aborted) log(`request failed: ${String(error)}`);
  request.socket.destroy();
}
