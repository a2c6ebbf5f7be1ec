import type { ReadPace } from '../../src/modules/connectors/index.js';

/**
 * Reconciliation's pace as a connector test counts it: `counted(read)` answers how many times the read
 * awaited the pace and how many requests the emulator received meanwhile (`requests` reads its count),
 * which must be equal: a connector paces every request a read sends.
 */
export function countingPace(requests: () => number): {
  pace: ReadPace;
  counted(read: () => Promise<unknown>): Promise<{ paced: number; received: number }>;
} {
  let paced = 0;
  return {
    pace: async () => {
      paced += 1;
    },
    async counted(read) {
      paced = 0;
      const before = requests();
      await read();
      return { paced, received: requests() - before };
    },
  };
}
