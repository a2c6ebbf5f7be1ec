import { Decimal } from 'decimal.js';
import type { Queryable } from '../../platform/database/database.js';
import type { RuleEvaluator } from '../alerts/index.js';
import { findDeliveredBetween } from '../outbox/index.js';
import type { ObjectiveEvaluator } from '../service-levels/index.js';
import { firstReads, latestCompletedRuns } from './reconciliation-repository.js';

// What reconciliation tells the alerts and service levels: an alert while a period's latest run is not
// clean (mismatches at or above a threshold, or a target left unverified), and the objective that what
// was posted is reconciled — read back from its target by a completed run — within hours of delivery.

/** How far back a period's latest run is still looked at: a year and a month. */
const RUNS_LOOKED_AT_MS = 400 * 86_400_000;

export function reconciliationMismatchRule(settings: { atLeast: number }): RuleEvaluator {
  return {
    rule: 'reconciliation_mismatches',
    async evaluate({ db, now }) {
      const runs = await latestCompletedRuns(db, new Date(now.getTime() - RUNS_LOOKED_AT_MS));
      return runs
        .filter((run) => run.summary.mismatches >= settings.atLeast || run.summary.unverified.length > 0)
        .map((run) => ({
          subject: run.legalEntity ? `${run.period}:${run.legalEntity}` : run.period,
          summary: `reconciliation ${run.id} of ${run.period}${run.legalEntity ? ` (${run.legalEntity})` : ''}: ${run.summary.mismatches} mismatches${run.summary.unverified.length ? `, ${run.summary.unverified.length} targets unverified` : ''}; GET /v1/reconciliations/${run.id}`,
          observed: String(run.summary.mismatches),
          threshold: String(settings.atLeast),
          details: {
            run: run.id,
            period: run.period,
            byClass: run.summary.byClass,
            unverified: run.summary.unverified.map((target) => target.targetKey),
            provisional: run.provisional,
          },
        }));
    },
  };
}

export function reconciledWithinObjective(settings: {
  hours: number;
  target: string;
  windowDays: number;
}): ObjectiveEvaluator {
  return {
    objective: 'reconciliation',
    description: `every delivered posting read back by a completed reconciliation within ${settings.hours} hours of its delivery`,
    target: settings.target,
    windowDays: settings.windowDays,
    measure: ({ db, now, window }) => measureReconciled(db, now, window, settings),
  };
}

async function measureReconciled(
  db: Queryable,
  now: Date,
  window: { start: Date; end: Date },
  settings: { hours: number; target: string },
) {
  const delivered = await findDeliveredBetween(db, window);
  const reads = await firstReads(
    db,
    delivered.map((posting) => posting.id),
  );
  const boundMs = settings.hours * 3_600_000;
  let met = 0;
  let missed = 0;
  let pending = 0;
  const delays: number[] = [];
  for (const posting of delivered) {
    const read = reads.get(posting.id);
    const delay = (read ?? now).getTime() - posting.deliveredAt.getTime();
    if (read && delay <= boundMs) met += 1;
    else if (delay > boundMs) missed += 1;
    else {
      pending += 1;
      continue;
    }
    delays.push(Math.max(0, delay) / 1000);
  }
  delays.sort((a, b) => a - b);
  const at = Math.max(0, Math.ceil(new Decimal(settings.target).times(delays.length).toNumber()) - 1);
  return {
    met: String(met),
    missed: String(missed),
    pending: String(pending),
    quantileSeconds: delays.length ? new Decimal(delays[at]!).toFixed(0) : null,
  };
}
