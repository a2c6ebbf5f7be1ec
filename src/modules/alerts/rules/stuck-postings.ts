import { countOpenPostings } from '../../outbox/index.js';
import type { RuleEvaluator } from '../alerts.js';

/** A target whose oldest pending or retrying posting was created more than `olderThanMinutes` ago. */
export function stuckPostingsRule({ olderThanMinutes }: { olderThanMinutes: number }): RuleEvaluator {
  return {
    rule: 'stuck_postings',
    async evaluate({ db, now }) {
      const byTarget = new Map<string, { count: number; oldest: Date }>();
      for (const row of await countOpenPostings(db)) {
        if ((row.status !== 'pending' && row.status !== 'retrying') || !row.oldest) continue;
        const ageMinutes = (now.getTime() - row.oldest.getTime()) / 60_000;
        if (ageMinutes <= olderThanMinutes) continue;
        const seen = byTarget.get(row.targetKey);
        byTarget.set(row.targetKey, {
          count: (seen?.count ?? 0) + row.count,
          oldest: seen && seen.oldest < row.oldest ? seen.oldest : row.oldest,
        });
      }
      return [...byTarget].map(([target, { count, oldest }]) => {
        const minutes = Math.floor((now.getTime() - oldest.getTime()) / 60_000);
        return {
          subject: target,
          summary: `target ${target} has postings waiting for ${minutes} minutes (more than ${olderThanMinutes})`,
          observed: String(minutes),
          threshold: String(olderThanMinutes),
          details: { target, waiting: String(count), oldestCreatedAt: oldest.toISOString() },
        };
      });
    },
  };
}
