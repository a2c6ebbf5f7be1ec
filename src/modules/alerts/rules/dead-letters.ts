import { countOpenPostings } from '../../outbox/index.js';
import type { RuleEvaluator } from '../alerts.js';

/** A target with postings in the dead-letter queue (status dead): a person must retry or cancel them. */
export function deadLettersRule(): RuleEvaluator {
  return {
    rule: 'dead_letters',
    async evaluate({ db }) {
      return (await countOpenPostings(db))
        .filter((row) => row.status === 'dead' && row.count > 0)
        .map((row) => ({
          subject: row.targetKey,
          summary: `target ${row.targetKey} has ${row.count} dead postings: meterbridge postings list --status dead --target ${row.targetKey}`,
          observed: String(row.count),
          threshold: '0',
          details: {
            target: row.targetKey,
            dead: String(row.count),
            oldestCreatedAt: row.oldest?.toISOString() ?? null,
          },
        }));
    },
  };
}
