import type { Clock } from '../../../platform/clock.js';
import type { Database, Queryable } from '../../../platform/database/database.js';
import { ConflictError, NotFoundError } from '../../../platform/errors.js';
import { recordAudit } from '../../audit/index.js';
import { enqueue } from '../../outbox/index.js';
import type { CatalogService, DraftedCatalog } from '../../catalog/index.js';
import { assertAdjustmentsCurrent } from '../late-usage/adjustment-guard.js';
import { assertAdvanceFeesCurrent } from '../fees/advance-fee-guard.js';
import { assertCreditsCover } from '../credits/credit-guard.js';
import { findInvoice } from './invoice-queries.js';
import { markBilledUsage } from './usage-marks.js';
import { findDueDrafts, lockDraft, markFinalized, nextSequenceValue } from './finalize-repository.js';
import {
  type DocumentListener,
  type Invoice,
  StaleUsageError,
  type FinalizeDueResult,
  INVOICE_FINALIZED_TOPIC,
} from '../billing.js';

/** The next number of the legal entity's sequence: consecutive, six digits at least. */
async function nextNumber(db: Queryable, legalEntity: string): Promise<string> {
  return `${legalEntity}-${(await nextSequenceValue(db, legalEntity)).padStart(6, '0')}`;
}

/** What finalizing one draft reads and writes. */
export interface FinalizeStore {
  db: Database;
  clock: Clock;
  catalog: CatalogService;
  draftedCatalog: DraftedCatalog;
  listener?: DocumentListener;
}

/**
 * Finalizes one draft: marks the usage records it bills and proves they make up its lines (else
 * StaleUsageError), numbers it (next of its legal entity, consecutive), freezes it, and writes the
 * `invoice.finalized` message to the outbox, all in one transaction. A rollback gives the number back.
 */
export async function finalizeInvoice(
  { db, clock, catalog, draftedCatalog, listener }: FinalizeStore,
  id: string,
  actor: string,
): Promise<Invoice> {
  return db.transaction(async (tx) => {
    const draft = await lockDraft(tx, id);
    if (!draft) throw new NotFoundError(`there is no invoice ${id}`);
    if (draft.status !== 'draft')
      throw new ConflictError(`invoice ${id} is ${draft.status}; only a draft can be finalized`);
    await assertAdjustmentsCurrent(tx, id);
    await assertAdvanceFeesCurrent(tx, id);
    await assertCreditsCover(tx, catalog, id);
    await markBilledUsage(tx, await draftedCatalog(draft.catalogVersion, tx), {
      id,
      subscriptionKey: draft.subscriptionKey,
      customerKey: draft.customerKey,
      document: draft.document,
      coveredStart: draft.coveredStart,
      coveredEnd: draft.coveredEnd,
      runPeriod: draft.runPeriod,
    });
    const now = clock.now();
    const number = await nextNumber(tx, draft.legalEntity);
    await markFinalized(tx, id, number, now);
    // The row is locked by this transaction since lockDraft, so it is there.
    const invoice = (await findInvoice(tx, id)) as Invoice;
    await enqueue(tx, { topic: INVOICE_FINALIZED_TOPIC, key: id, payload: invoice, createdAt: now });
    await listener?.documentFinalized(tx, invoice, now);
    await recordAudit(tx, now, [
      {
        actor,
        action: 'invoice.finalize',
        target: `invoice:${id}`,
        detail: { number, total: invoice.total, currency: invoice.currency },
      },
    ]);
    return invoice;
  });
}

/** Finalizing with what it needs to draw a stale draft again: a billing run of a period. */
export interface FinalizeDependencies extends FinalizeStore {
  redraw: (runPeriod: string, actor: string) => Promise<unknown>;
}

// Draws per finalization before it is refused: usage of a closed period that keeps arriving faster than
// a run draws it needs someone to look, not an endless loop.
const MAX_REDRAWS = 2;

/**
 * Finalizes a draft with the usage known when it is finalized: a draft whose period's usage changed since
 * it was drawn (events metered during the grace period) is drawn again by a billing run of its period,
 * then finalized. Still changing after a second draw, it is refused with the difference (409).
 */
export async function finalizeCurrent(deps: FinalizeDependencies, id: string, actor: string): Promise<Invoice> {
  for (let redraws = 0; ; redraws += 1) {
    try {
      return await finalizeInvoice(deps, id, actor);
    } catch (error) {
      if (!(error instanceof StaleUsageError) || redraws >= MAX_REDRAWS) throw error;
      await deps.redraw(error.runPeriod, actor);
    }
  }
}

/**
 * Finalizes every draft whose grace period has passed, earliest period first (a period's in-advance fee
 * is billed on the invoice before it, and prepaid credit is drawn in period order). A draft finalized
 * meanwhile by someone else, or drafted against credits, adjustments or fees that have changed since
 * (the next billing run redrafts it), is skipped with the reason, never failing the others; one a
 * concurrent billing run removed is passed over.
 */
export async function finalizeDue(deps: FinalizeDependencies, actor: string): Promise<FinalizeDueResult> {
  const due = await findDueDrafts(deps.db, deps.clock.now());
  const result: FinalizeDueResult = { finalized: [], skipped: [] };
  for (const id of due) {
    try {
      await finalizeCurrent(deps, id, actor);
      result.finalized.push(id);
    } catch (error) {
      // Gone since it was listed: a billing run running meanwhile removed it (nothing left to bill, or a
      // memo with nothing left to correct). Nothing to finalize, nothing to report.
      if (error instanceof NotFoundError) continue;
      if (!(error instanceof ConflictError)) throw error;
      result.skipped.push({
        id,
        reason: [error.message, ...error.errors.map((item) => `${item.path}: ${item.message}`)].join('; '),
      });
    }
  }
  return result;
}
