import { countOpenExceptionsAt } from '../../metering/index.js';
import type { RuleEvaluator } from '../alerts.js';

/** Open metering exceptions up by more than `by` over the last `windowMinutes`. */
export function exceptionsGrowingRule({ by, windowMinutes }: { by: number; windowMinutes: number }): RuleEvaluator {
  return {
    rule: 'exceptions_growing',
    async evaluate({ db, now }) {
      const before = new Date(now.getTime() - windowMinutes * 60_000);
      const [then = '0', current = '0'] = await countOpenExceptionsAt(db, [before, now]);
      const growth = BigInt(current) - BigInt(then);
      if (growth <= BigInt(by)) return [];
      return [
        {
          subject: 'metering',
          summary: `open metering exceptions grew by ${growth} (from ${then} to ${current}) in ${windowMinutes} minutes, more than ${by}`,
          observed: growth.toString(),
          threshold: String(by),
          details: {
            openBefore: then,
            openNow: current,
            since: before.toISOString(),
            windowMinutes: String(windowMinutes),
          },
        },
      ];
    },
  };
}
