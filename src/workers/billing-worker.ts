import type { App } from '../main.js';
import { startStageLoop, type StageLoop } from './stage-loop.js';

/** Who finalizes drafts whose grace period passed, in the audit log. */
const GRACE_PERIOD_ACTOR = 'system:grace-period';
const CHECK_EVERY_MS = 60_000;

/** Finalizes draft invoices once their grace period has passed, checking once a minute (tests check sooner). */
export function startBillingWorker(
  app: App,
  { checkEveryMs = CHECK_EVERY_MS }: { checkEveryMs?: number } = {},
): StageLoop {
  return startStageLoop({
    name: 'billing-finalization',
    step: async () => {
      const { finalized, skipped } = await app.billing.finalizeDue(GRACE_PERIOD_ACTOR);
      if (finalized.length > 0)
        app.logger.info({ invoices: finalized }, 'finalized draft invoices after their grace period');
      // Logged every minute until someone acts (a billing run of the period redraws the draft).
      if (skipped.length > 0) app.logger.warn({ skipped }, 'due draft invoices left unfinalized');
      return false;
    },
    pollIntervalMs: checkEveryMs,
    logger: app.logger,
  });
}
