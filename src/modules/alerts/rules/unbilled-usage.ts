import { periodContaining, periodsStartingIn } from '../../billing/index.js';
import type { Subscription } from '../../catalog/index.js';
import { findUnbilledBefore, findUnbilledBeforeEach } from '../../metering/index.js';
import type { Finding, RuleEvaluator } from '../alerts.js';

const HOUR_MS = 3_600_000;
/** At most this many subscriptions are named in an alert's details. */
const NAMED = 20;

/**
 * Usage on no finalized invoice `afterHours` after the end of its subscription's billing period, per
 * legal entity and the month its oldest such period started in (`US:2026-10`). A subscription the catalog
 * no longer has is judged by calendar months (UTC).
 */
export function unbilledUsageRule(
  { afterHours }: { afterHours: number },
  subscriptions: () => Promise<ReadonlyMap<string, Subscription>>,
): RuleEvaluator {
  return {
    rule: 'unbilled_usage',
    async evaluate({ db, now }) {
      // Usage of a period that ended `afterHours` ago happened before that instant: only it can be overdue.
      const cutoff = new Date(now.getTime() - afterHours * HOUR_MS);
      const candidates = await findUnbilledBefore(db, cutoff);
      if (candidates.length === 0) return [];
      const catalog = await subscriptions();
      const overdue = candidates.flatMap((candidate) => {
        const periods = overduePeriods(catalog.get(candidate.subscriptionKey), candidate.oldestEventTime, cutoff);
        return periods ? [{ subscriptionKey: candidate.subscriptionKey, ...periods }] : [];
      });
      const usage = await findUnbilledBeforeEach(
        db,
        overdue.map(({ subscriptionKey, before }) => ({ subscriptionKey, before })),
      );
      const firstOf = new Map(overdue.map((entry) => [entry.subscriptionKey, entry.firstStart]));
      const bySubject = new Map<
        string,
        { entity: string; month: string; records: bigint; oldest: Date; subs: string[] }
      >();
      for (const row of usage) {
        const month = (firstOf.get(row.subscriptionKey) ?? row.oldestEventTime).toISOString().slice(0, 7);
        const subject = `${row.legalEntity}:${month}`;
        const seen = bySubject.get(subject) ?? {
          entity: row.legalEntity,
          month,
          records: 0n,
          oldest: row.oldestEventTime,
          subs: [],
        };
        seen.records += BigInt(row.records);
        if (row.oldestEventTime < seen.oldest) seen.oldest = row.oldestEventTime;
        seen.subs.push(row.subscriptionKey);
        bySubject.set(subject, seen);
      }
      return [...bySubject].map(([subject, found]): Finding => ({
        subject,
        summary: `${found.records} usage records of ${found.entity} in billing periods that started in ${found.month} (and later ones ended ${afterHours} h ago or more) are on no finalized invoice`,
        observed: found.records.toString(),
        threshold: '0',
        details: {
          legalEntity: found.entity,
          periodsFrom: found.month,
          records: found.records.toString(),
          oldestEventTime: found.oldest.toISOString(),
          subscriptions: found.subs.slice(0, NAMED),
          moreSubscriptions: String(Math.max(0, found.subs.length - NAMED)),
          afterHours: String(afterHours),
        },
      }));
    },
  };
}

/**
 * The subscription's periods that ended by `cutoff`, from the one holding its oldest unbilled usage:
 * where the first starts, and the end of the last (usage before it is overdue). Undefined when even the
 * oldest usage's period has not ended by then.
 */
function overduePeriods(
  subscription: Subscription | undefined,
  oldest: Date,
  cutoff: Date,
): { firstStart: Date; before: Date } | undefined {
  const first = subscription && periodContaining(subscription, oldest)?.period;
  if (!subscription || !first) {
    const month = new Date(Date.UTC(oldest.getUTCFullYear(), oldest.getUTCMonth(), 1));
    const monthEnd = new Date(Date.UTC(oldest.getUTCFullYear(), oldest.getUTCMonth() + 1, 1));
    if (monthEnd > cutoff) return undefined;
    const lastEnded = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth(), 1));
    return { firstStart: month, before: lastEnded };
  }
  if (first.end > cutoff) return undefined;
  const ended = periodsStartingIn(subscription, first.start, cutoff)
    .map(({ period }) => period.end)
    .filter((end) => end <= cutoff);
  const before = ended.reduce((latest, end) => (end > latest ? end : latest), first.end);
  return { firstStart: first.start, before };
}
