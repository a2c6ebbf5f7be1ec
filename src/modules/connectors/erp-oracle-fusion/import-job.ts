import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryFailure } from '../connector.js';
import type { JobStatus, OracleFusionClient } from './oracle-fusion-client.js';

// The ESS job importBulkData starts, as the connector follows it: polled until it ends or the delivery's
// time runs out. ESS names more states than Journal Import reaches; each is placed below, and any other
// text is an unknown status, kept whole on the failure.

/** States of a job that has not ended: polled again. */
export const IN_PROGRESS = new Set([
  'WAIT',
  'READY',
  'RUNNING',
  'BLOCKED',
  'HOLD',
  'PAUSED',
  'PENDING_VALIDATION',
  'COMPLETED',
  'CANCELLING',
  'ERROR_AUTO_RETRY',
  'ERROR_MANUAL_RECOVERY',
]);
/** States of a job that ended without an outcome of its own: the batch look-up tells whether anything was imported. */
export const ENDED_OTHERWISE = new Set(['CANCELLED', 'EXPIRED', 'VALIDATION_FAILED', 'SCHEDULE_ENDED', 'FINISHED']);
/** The three ends Journal Import reaches. */
export const OUTCOMES = new Set(['SUCCEEDED', 'WARNING', 'ERROR']);

export const hasEnded = (status: string | undefined): status is string =>
  status !== undefined && (OUTCOMES.has(status) || ENDED_OTHERWISE.has(status));

/** A job that was still going when the delivery's time ran out: its outcome is unknown until it ends. */
export function stillRunning(requestId: string, last: JobStatus | undefined, why: string): DeliveryFailure {
  return new DeliveryFailure(
    'unknown_outcome',
    `import request ${requestId} was ${last?.status ?? 'not yet reported'} ${why}; the next attempt looks the batch up and waits for this request before importing again`,
    { targetText: last?.text, code: last?.status },
  );
}

/**
 * Polls the job every `intervalMs` until it ends; throws `unknown_outcome` when `signal` ends first or the
 * job reports a status ESS does not have. A failed poll (a 429, an outage) is polled again: the job runs
 * on whatever the poll met.
 */
export async function awaitJob(
  client: OracleFusionClient,
  requestId: string,
  intervalMs: number,
  signal: AbortSignal,
): Promise<JobStatus & { status: string }> {
  let last: JobStatus | undefined;
  for (;;) {
    try {
      await sleep(intervalMs, undefined, { signal });
    } catch {
      throw stillRunning(requestId, last, 'when the delivery’s time ran out');
    }
    try {
      last = await client.jobStatus(requestId, signal);
    } catch (error) {
      if (!(error instanceof DeliveryFailure)) throw error;
      last = { status: last?.status, text: error.detail.targetText ?? error.message };
      continue;
    }
    if (hasEnded(last.status)) return { ...last, status: last.status };
    if (last.status !== undefined && !IN_PROGRESS.has(last.status))
      throw new DeliveryFailure(
        'unknown_outcome',
        `import request ${requestId} reports the status ${last.status}, which ESS does not have; the batch is looked up before anything is imported again`,
        { targetText: last.text, code: last.status },
      );
  }
}
