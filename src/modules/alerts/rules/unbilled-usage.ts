import { findUnbilledMonths } from '../../metering/index.js';
import type { RuleEvaluator } from '../alerts.js';

const HOUR_MS = 3_600_000;

/**
 * Usage on no finalized invoice `afterHours` after the end of its period — the calendar month (UTC) of
 * its events' time — per legal entity and period.
 */
export function unbilledUsageRule({ afterHours }: { afterHours: number }): RuleEvaluator {
  return {
    rule: 'unbilled_usage',
    async evaluate({ db, now }) {
      const months = await findUnbilledMonths(db, new Date(now.getTime() - afterHours * HOUR_MS));
      return months.map((month) => ({
        subject: `${month.legalEntity}:${month.period}`,
        summary: `${month.records} usage records of ${month.legalEntity} in ${month.period} are on no finalized invoice ${afterHours} h after the period's end`,
        observed: month.records,
        threshold: '0',
        details: {
          legalEntity: month.legalEntity,
          period: month.period,
          records: month.records,
          oldestEventTime: month.oldestEventTime.toISOString(),
          afterHours: String(afterHours),
        },
      }));
    },
  };
}
