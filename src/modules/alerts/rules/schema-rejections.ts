import { Decimal } from 'decimal.js';
import type { RuleEvaluator } from '../alerts.js';
import { countRejectionsSince } from '../rejection-counts.js';

/** Events refused by ingestion (schema, envelope, hostile content) per minute over the window, above the rate. */
export function schemaRejectionsRule({
  perMinute,
  windowMinutes,
}: {
  perMinute: string;
  windowMinutes: number;
}): RuleEvaluator {
  return {
    rule: 'schema_rejections',
    async evaluate({ db, now }) {
      const since = new Date(now.getTime() - windowMinutes * 60_000);
      const rejected = await countRejectionsSince(db, since, now);
      const rate = new Decimal(rejected).div(windowMinutes);
      if (rate.lte(perMinute)) return [];
      return [
        {
          subject: 'ingestion',
          summary: `ingestion rejected ${rejected} events in ${windowMinutes} minutes (${rate.toDecimalPlaces(3).toString()} a minute, above ${perMinute})`,
          observed: rate.toDecimalPlaces(6).toString(),
          threshold: perMinute,
          details: { rejected, windowMinutes: String(windowMinutes), since: since.toISOString() },
        },
      ];
    },
  };
}
