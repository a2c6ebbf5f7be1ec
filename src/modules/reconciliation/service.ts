import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import type { Database } from '../../platform/database/database.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import type { Billing } from '../billing/index.js';
import type { CatalogService } from '../catalog/index.js';
import type { Connector } from '../connectors/index.js';
import { findKnownExternalIds, releaseReadPlace, reserveReadSlot, type Postings } from '../outbox/index.js';
import { reconcilePostings } from './posting-stage.js';
import type { TargetPace } from './target-pace.js';
import { DEFAULT_STUCK_AFTER_HOURS, parseReconcileRequest } from './reconcile-request.js';
import {
  emptyStageTotals,
  MISMATCH_CLASSES,
  type MeterRow,
  type Mismatch,
  type NewMismatch,
  type ReconciliationRun,
  type ReconciliationSummary,
  type StageTotals,
} from './reconciliation.js';
import {
  claimRun,
  findRun,
  finishRun,
  holdsRun,
  insertMismatches,
  insertReads,
  insertRun,
  listMismatches,
  listRuns,
  lockMismatch,
  markRepaired,
  queueUnlessRecent,
  renewLease,
  requeueRun,
  type ClaimedRun,
  type StoredRequest,
} from './reconciliation-repository.js';
import { repairMismatch } from './repair.js';
import { reconcileUsage } from './usage-stage.js';

export interface ReconciliationsDependencies {
  db: Database;
  clock: Clock;
  catalog: CatalogService;
  billing: Pick<Billing, 'list'>;
  postings: Pick<Postings, 'list'>;
  connectorFor(targetKey: string): Promise<Connector | undefined>;
  /** The billing grace period: a period closes this long after it ends. */
  graceHours: number;
  /** Reconciliation's pace for a target of this rate (a test gives one that does not wait). */
  pace?: (requestsPerSecond: number) => TargetPace;
}

export type ReconciliationReport = ReconciliationRun & { mismatches: Mismatch[] };

/** How long a run's lease lasts; it is renewed at a third of it while the run goes on. */
const LEASE_MS = 60_000;
/** A queued run whose attempts keep failing is given up after this many. */
const MAX_ATTEMPTS = 3;

/** Who asks the runs the service schedules, as the kept run names it. */
const SCHEDULER = 'system:reconciliation-schedule';

/** The attempt lost its run: its lease lapsed and another process took it over. */
class LostRun extends Error {}

/** The attempt's process is stopping: the run goes back in the queue, and nothing of the attempt is kept. */
class AbandonedRun extends Error {}

/**
 * Three-way reconciliation of a period: usage against documents against what each target holds, read
 * back. Each run is kept with its totals and mismatches; `repair` fixes what is safe (audited) as it
 * goes, and a kept mismatch can be repaired later on its own. A run is made in the caller's process
 * (`run`) or queued for a worker (`queue`, then `runNext` in the worker); either way it holds a renewed
 * lease, so a run whose process died is taken over and made again from the beginning.
 */
export function createReconciliations(deps: ReconciliationsDependencies) {
  const { db, clock } = deps;

  async function begin(input: unknown, actor: string, status: 'queued' | 'running'): Promise<ClaimedRun> {
    const catalog = (await deps.catalog.current())?.catalog;
    const request = parseReconcileRequest(input, catalog);
    const now = clock.now();
    const id = `rec_${randomUUID()}`;
    const stored: StoredRequest = {
      period: request.period,
      ...(request.legalEntity === undefined ? {} : { entity: request.legalEntity }),
      repair: request.repair,
      stuckAfterHours: request.stuckAfterHours,
    };
    await insertRun(
      db,
      {
        id,
        period: request.period,
        legalEntity: request.legalEntity ?? null,
        provisional: provisionalAt(request.end, now),
        repair: request.repair,
        requestedBy: actor,
        status,
        request: stored,
        leaseUntil: status === 'running' ? new Date(now.getTime() + LEASE_MS) : null,
      },
      now,
    );
    return { id, attempt: 1, request: stored, requestedBy: actor };
  }

  const provisionalAt = (end: Date, now: Date) => now < new Date(end.getTime() + deps.graceHours * 3_600_000);

  /** Makes one attempt of a run, renewing its lease as it goes; its findings are kept in one last transaction. */
  async function execute(
    { id, attempt, request: stored, requestedBy: actor }: ClaimedRun,
    signal?: AbortSignal,
  ): Promise<void> {
    let lost = false;
    const renewal = setInterval(() => {
      void renewLease(db, id, attempt, new Date(clock.now().getTime() + LEASE_MS)).then(
        (held) => (lost ||= !held),
        () => undefined, // a store briefly away: the next renewal tries again, and the last transaction checks
      );
    }, LEASE_MS / 3);
    renewal.unref();
    try {
      const catalog = (await deps.catalog.current())?.catalog;
      const request = parseReconcileRequest(stored, catalog);
      const now = clock.now();
      const found: NewMismatch[] = [];
      const report = (mismatch: NewMismatch) => found.push(mismatch);
      const scope = { start: request.start, end: request.end, legalEntity: request.legalEntity, now };
      const rows = await reconcileUsage(db, catalog, { ...scope, graceHours: deps.graceHours }, report);
      const stage = await reconcilePostings(
        {
          listInvoices: (filter, limit) => deps.billing.list(filter, limit),
          listPostings: (filter, limit) => deps.postings.list(filter, limit),
          connectorFor: deps.connectorFor,
          knownExternalIds: (targetKey, externalIds) => findKnownExternalIds(db, targetKey, externalIds),
          pace: deps.pace,
          sharedLimits: (targetKey, limits) => ({
            async reserve() {
              // A stopping process reads no more: what is left fails at once, and the run is abandoned below.
              signal?.throwIfAborted();
              const at = await reserveReadSlot(db, targetKey, limits, clock.now());
              return at && at.getTime() - clock.now().getTime();
            },
            release: () => releaseReadPlace(db, targetKey),
          }),
        },
        catalog,
        { ...scope, month: request.period, stuckAfterMs: request.stuckAfterHours * 3_600_000 },
        report,
      );
      if (lost) throw new LostRun(`reconciliation ${id}'s attempt ${attempt} lost its lease`);
      if (signal?.aborted) throw new AbandonedRun(`reconciliation ${id}'s process stopped before it finished`);
      const totals = withUsage(stage.totals, rows);
      const mismatches: Mismatch[] = found.map((mismatch, index) => ({ ...mismatch, seq: index + 1, repaired: false }));
      await db.transaction(async (tx) => {
        if (!(await holdsRun(tx, id, attempt)))
          throw new LostRun(`reconciliation ${id}'s attempt ${attempt} lost its lease`);
        if (request.repair)
          for (const mismatch of mismatches) {
            const outcome = await repairMismatch(tx, id, mismatch, actor, clock.now());
            if (outcome.repaired) Object.assign(mismatch, { repaired: true, action: outcome.action });
          }
        await insertMismatches(tx, id, mismatches);
        await insertReads(tx, id, stage.readPostingIds, clock.now());
        const summary = summarize(mismatches, stage);
        const provisional = provisionalAt(request.end, now);
        await finishRun(tx, id, { status: 'completed', provisional, summary, totals, rows }, clock.now());
      });
    } finally {
      clearInterval(renewal);
    }
  }

  async function fail(run: ClaimedRun, error: unknown, requeue: boolean): Promise<void> {
    if (error instanceof LostRun) return; // the process that took the run over keeps its findings
    const message = error instanceof Error ? error.message : String(error);
    if (requeue) return requeueRun(db, run.id, run.attempt, message);
    await finishRun(
      db,
      run.id,
      // A run that failed proved nothing: it is never clean.
      {
        status: 'failed',
        summary: { ...summarize([], NOTHING_READ), clean: false },
        totals: [],
        rows: [],
        error: message,
      },
      clock.now(),
    );
  }

  /** Reconciles in the caller's process and answers the kept report. */
  async function run(input: unknown, actor: string): Promise<ReconciliationReport> {
    const claimed = await begin(input, actor, 'running');
    try {
      await execute(claimed);
    } catch (error) {
      // Taken over after this process stalled past its lease: the report is the other process's.
      if (error instanceof LostRun) return get(claimed.id);
      await fail(claimed, error, false);
      throw error;
    }
    return get(claimed.id);
  }

  /**
   * Makes the oldest queued run (or one whose process died); false when there is none. A failed attempt
   * is queued again, up to MAX_ATTEMPTS, then the run is failed with the last error. `signal`: the
   * process is stopping — the run in progress stops reading and goes back in the queue.
   */
  async function runNext(
    onFailed?: (run: { id: string; attempt: number; requeued: boolean }, error: unknown) => void,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (signal?.aborted) return false;
    const claimed = await claimRun(db, clock.now(), LEASE_MS);
    if (!claimed) return false;
    try {
      await execute(claimed, signal);
    } catch (error) {
      if (error instanceof AbandonedRun) {
        await requeueRun(db, claimed.id, claimed.attempt, error.message);
        return false;
      }
      const requeued = claimed.attempt < MAX_ATTEMPTS;
      await fail(claimed, error, requeued);
      if (!(error instanceof LostRun)) onFailed?.({ id: claimed.id, attempt: claimed.attempt, requeued }, error);
    }
    return true;
  }

  async function get(id: string): Promise<ReconciliationReport> {
    const found = await findRun(db, id);
    if (!found) throw new NotFoundError(`there is no reconciliation ${id}`);
    return { ...found, mismatches: await listMismatches(db, id) };
  }

  /**
   * Queues a run of the current month and of the one before for every entity, each unless one was asked in
   * the last `everyHours`: what keeps delivered postings reconciled within the service level without a
   * person asking. Answers the periods queued.
   */
  async function schedule(everyHours: number): Promise<string[]> {
    const now = clock.now();
    const current = now.toISOString().slice(0, 7);
    const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const queued: string[] = [];
    for (const period of [previous, current]) {
      const { end } = parseReconcileRequest({ period }, undefined);
      const since = new Date(now.getTime() - everyHours * 3_600_000);
      const request: StoredRequest = { period, repair: false, stuckAfterHours: DEFAULT_STUCK_AFTER_HOURS };
      const run = {
        id: `rec_${randomUUID()}`,
        period,
        provisional: provisionalAt(end, now),
        request,
        actor: SCHEDULER,
      };
      if (await db.transaction((tx) => queueUnlessRecent(tx, run, since, now))) queued.push(period);
    }
    return queued;
  }

  return {
    run,
    schedule,
    /** Queues a run for a worker and answers it (status queued): for a month whose read-back takes long. */
    queue: async (input: unknown, actor: string) => get((await begin(input, actor, 'queued')).id),
    runNext,
    get,
    list: (filter: { period?: string; before?: { startedAt: string; id: string } }, limit: number) =>
      listRuns(db, { ...filter, limit }),
    /** Repairs one kept mismatch, when that is safe; refused (409) with the reason when it is not. */
    async repair(runId: string, seq: number, actor: string): Promise<Mismatch> {
      await db.transaction(async (tx) => {
        const mismatch = await lockMismatch(tx, runId, seq);
        if (!mismatch) throw new NotFoundError(`reconciliation ${runId} has no mismatch ${seq}`);
        const outcome = await repairMismatch(tx, runId, mismatch, actor, clock.now());
        if (!outcome.repaired) throw new ConflictError(outcome.reason);
        await markRepaired(tx, runId, seq, outcome.action);
      });
      const mismatches = await listMismatches(db, runId);
      return mismatches.find((mismatch) => mismatch.seq === seq)!;
    },
  };
}

export type Reconciliations = ReturnType<typeof createReconciliations>;

/** Each entity and currency's usage counts beside its documents' totals. */
function withUsage(totals: StageTotals[], rows: readonly MeterRow[]): StageTotals[] {
  const byKey = new Map(totals.map((row) => [`${row.legalEntity}\u0000${row.currency}`, { ...row }]));
  for (const row of rows) {
    const key = `${row.legalEntity}\u0000${row.currency}`;
    const total = byKey.get(key) ?? emptyStageTotals(row.legalEntity, row.currency);
    total.usageRecords += row.usageRecords;
    total.usageRecordsInvoiced += row.invoicedRecords;
    byKey.set(key, total);
  }
  return [...byKey.values()].sort(
    (a, b) => a.legalEntity.localeCompare(b.legalEntity) || a.currency.localeCompare(b.currency),
  );
}

const NOTHING_READ = { postingsRead: 0, readRequests: 0, awaitingDelivery: 0, unverified: [] };

function summarize(
  mismatches: readonly Mismatch[],
  stage: Pick<ReconciliationSummary, 'postingsRead' | 'readRequests' | 'awaitingDelivery' | 'unverified'>,
): ReconciliationSummary {
  const byClass: ReconciliationSummary['byClass'] = {};
  for (const name of MISMATCH_CLASSES) {
    const count = mismatches.filter((mismatch) => mismatch.class === name).length;
    if (count > 0) byClass[name] = count;
  }
  return {
    mismatches: mismatches.length,
    byClass,
    repaired: mismatches.filter((mismatch) => mismatch.repaired).length,
    postingsRead: stage.postingsRead,
    readRequests: stage.readRequests,
    awaitingDelivery: stage.awaitingDelivery,
    unverified: stage.unverified,
    clean: mismatches.length === 0 && stage.unverified.length === 0 && stage.awaitingDelivery === 0,
  };
}
