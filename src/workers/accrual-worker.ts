import type { App } from '../main.js';
import { createAccruals, findAccrualRun, periodsToAccrue } from '../modules/accounting/index.js';
import { ConflictError } from '../platform/errors.js';
import { startStageLoop, type StageLoop } from './stage-loop.js';

/** Who accrues a period at its end, and drafts it first, in the audit log and the run record. */
export const PERIOD_END_ACCRUAL_ACTOR = 'system:period-end-accrual';
const CHECK_EVERY_MS = 60_000;

export interface AccrualWorkerStep {
  /** Accrues every period due now that has no recorded run; false: nothing more to do right away. */
  (): Promise<boolean>;
}

/**
 * One check of the period-end accrual: every period whose end is at least the delay and less than the
 * billing grace period ago is accrued once (`once`: a period with a recorded run, from any process, is
 * left alone). A billing run of the period in progress elsewhere (a person's, or another process's
 * accrual) is waited out to the next check. The latest period whose window passed without a run is
 * named once per process: it is accrued only by hand now.
 */
export function accrualWorkerStep(app: App): AccrualWorkerStep {
  const accrue = createAccruals({ db: app.db, catalog: app.catalog, billing: app.billing, clock: app.clock });
  const named = new Set<string>();
  return async () => {
    const settings = app.config.accounting;
    if (!settings?.autoAccrue) return false;
    const { due, closed } = periodsToAccrue(app.clock.now(), {
      delayMinutes: settings.accrualDelayMinutes,
      graceHours: app.config.billing.graceHours,
    });
    let failure: unknown;
    for (const period of due) {
      try {
        const result = await accrue(period, { actor: PERIOD_END_ACCRUAL_ACTOR, once: true });
        if (result.recorded)
          app.logger.info(
            { period, documents: result.documents, accruals: result.accruals },
            "accrued the period's revenue still on drafts",
          );
      } catch (error) {
        if (error instanceof ConflictError) {
          app.logger.info({ period, reason: error.message }, 'accrual waits for the billing run of its period');
          continue;
        }
        // The other due periods are still tried; the stage loop logs the failure and retries.
        failure ??= error;
      }
    }
    if (!named.has(closed)) {
      const run = await findAccrualRun(app.db, closed);
      named.add(closed);
      if (!run)
        app.logger.warn(
          { period: closed },
          `period ${closed} was not accrued at its end (its invoices' grace period has passed); accrue what is still on drafts with: meterbridge accrue --period ${closed}`,
        );
    }
    if (failure !== undefined) throw failure;
    return false;
  };
}

/**
 * Accrues each period at its end when `accounting.autoAccrue` is on, checking once a minute (tests check
 * sooner); undefined, and nothing started, when it is off. Never ends `serve`: failures (a catalog
 * without an `unbilled` account, the store away) are logged and retried by the stage loop, and every
 * write of an accrual is one transaction with its run record, so a cut-short check is simply done again.
 */
export function startAccrualWorker(
  app: App,
  { checkEveryMs = CHECK_EVERY_MS }: { checkEveryMs?: number } = {},
): StageLoop | undefined {
  if (!app.config.accounting?.autoAccrue) return undefined;
  return startStageLoop({
    name: 'period-end-accrual',
    step: accrualWorkerStep(app),
    pollIntervalMs: checkEveryMs,
    logger: app.logger,
  });
}
