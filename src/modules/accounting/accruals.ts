import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { ValidationError } from '../../platform/errors.js';
import { recordAudit } from '../audit/index.js';
import { calendarMonth, type Billing } from '../billing/index.js';
import type { CatalogService } from '../catalog/index.js';
import { insertPostingsNow } from '../outbox/index.js';
import { planAccrual } from './accrual-entries.js';
import { findAccrualRun, insertAccrualRun, type AccrualEntry, type AccrualRun } from './accrual-runs.js';

/** Who an accrual (and the billing run that brings its drafts up to date) is audited as, unless told. */
export const ACCRUAL_ACTOR = 'system:accrual';

export interface AccrualResult {
  period: string;
  /** Draft documents whose revenue was accrued. */
  documents: number;
  /** Accrual entries (each with its reversal), by external id. */
  accruals: AccrualEntry[];
  /**
   * Whether this call recorded the period's run. False when a run of the period was already recorded
   * (by hand or by `serve`, in any process): its entries were written then, and the same external ids
   * add nothing now.
   */
  recorded: boolean;
}

export interface AccrualOptions {
  /** Audited as the actor of the accrual and of the billing run before it. */
  actor?: string;
  /**
   * Accrue a period only if no run of it is recorded (`serve`'s automatic accrual): a recorded period
   * writes nothing and answers its record. Without it (by hand) a recorded period is accrued again,
   * which adds only entries its earlier run did not write.
   */
  once?: boolean;
}

/**
 * Accrues a closed period's revenue that is rated but not yet on a finalized invoice. First a billing run
 * of the period (billing's own, by the rating engine) brings its drafts up to date: usage metered since
 * the last run, or a period nobody has billed yet, would otherwise be missing from the accrual. Then the
 * drafts' revenue is accrued (`planAccrual`), and the postings are written in one transaction with the
 * period's run record — a crash leaves neither, and running again is safe.
 */
export function createAccruals({
  db,
  catalog,
  billing,
  clock,
}: {
  db: Database;
  catalog: CatalogService;
  billing: Pick<Billing, 'list' | 'get' | 'run'>;
  clock: Clock;
}) {
  return async (
    period: unknown,
    { actor = ACCRUAL_ACTOR, once = false }: AccrualOptions = {},
  ): Promise<AccrualResult> => {
    const month = typeof period === 'string' ? calendarMonth(period) : undefined;
    if (!month || typeof period !== 'string')
      throw new ValidationError('invalid accrual', [{ path: '/period', message: 'is required: a month, YYYY-MM' }]);
    if (once) {
      // Only saves work: the insert of the run row below is what decides.
      const run = await findAccrualRun(db, period);
      if (run) return answerOf(run, false);
    }
    const current = (await catalog.current())?.catalog;
    if (!current && !once)
      throw new ValidationError('invalid accrual', [{ path: '/period', message: 'no catalog has been applied' }]);
    // No catalog: nothing was ever billed, so the automatic accrual records a run with nothing in it.
    if (current) await billing.run(period, actor);
    const plan = current
      ? await planAccrual(billing, current, period, month)
      : { documents: 0, accruals: [], postings: [] };
    const now = clock.now();
    return db.transaction(async (tx) => {
      const run: AccrualRun = {
        period,
        accruedAt: now.toISOString(),
        actor,
        documents: plan.documents,
        accruals: plan.accruals,
      };
      const recorded = await insertAccrualRun(tx, run);
      if (!recorded && once) {
        // Another process recorded the period since the check above (it waited for that one's commit).
        const earlier = await findAccrualRun(tx, period);
        return answerOf(earlier ?? run, false);
      }
      await insertPostingsNow(tx, plan.postings, now);
      await recordAudit(tx, now, [
        {
          actor,
          action: 'accrual.run',
          target: `period:${period}`,
          detail: { documents: plan.documents, accruals: plan.accruals, recorded },
        },
      ]);
      return answerOf(run, recorded);
    });
  };
}

const answerOf = (run: AccrualRun, recorded: boolean): AccrualResult => ({
  period: run.period,
  documents: run.documents,
  accruals: run.accruals,
  recorded,
});
