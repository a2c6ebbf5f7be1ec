import type { Clock } from '../../../platform/clock.js';
import type { Database, Queryable } from '../../../platform/database/database.js';
import { ConflictError, NotFoundError } from '../../../platform/errors.js';
import { recordAudit } from '../../audit/index.js';
import { enqueue } from '../../outbox/index.js';
import type { Catalog, CatalogService } from '../../catalog/index.js';
import { assertAdjustmentsCurrent } from '../late-usage/adjustment-guard.js';
import { assertAdvanceFeesCurrent } from '../fees/advance-fee-guard.js';
import { assertCreditsCover } from '../credits/credit-guard.js';
import { findInvoice } from './invoice-queries.js';
import { markBilledUsage } from './usage-marks.js';
import { type Invoice, StaleUsageError, type FinalizeDueResult, INVOICE_FINALIZED_TOPIC } from '../billing.js';

/** The catalog version a draft was drawn with, read in the caller's transaction. */
export type DraftedCatalog = (version: number, tx: Queryable) => Promise<Catalog>;

// Versions kept in memory: the ones drafts are drawn with are the last few.
const CACHED_VERSIONS = 4;

/**
 * Catalog versions by number, the last few kept: a version never changes once applied, and reading one
 * (every subscription of the catalog) took longer than the rest of finalizing an invoice.
 */
export function cachedCatalogVersions(catalog: CatalogService): DraftedCatalog {
  const cache = new Map<number, Catalog>();
  return async (version, tx) => {
    const cached = cache.get(version);
    if (cached) return cached;
    const read = (await catalog.get(version, tx)).catalog;
    cache.set(version, read);
    for (const oldest of cache.keys()) if (cache.size > CACHED_VERSIONS) cache.delete(oldest);
    return read;
  };
}

interface LockedDraft {
  status: string;
  legal_entity: string;
  subscription_key: string;
  customer_key: string;
  document: 'invoice' | 'memo';
  covered_start: Date | string;
  covered_end: Date | string;
  catalog_version: number;
  run_period: string;
}

/** The next number of the legal entity's sequence, with its row locked until the transaction ends: no gaps. */
async function nextNumber(db: Queryable, legalEntity: string): Promise<string> {
  await db.query(
    `insert into invoice_sequences (legal_entity, last_number) values ($1, 0) on conflict (legal_entity) do nothing`,
    [legalEntity],
  );
  const result = await db.query<{ last_number: string }>(
    `update invoice_sequences set last_number = last_number + 1 where legal_entity = $1 returning last_number::text`,
    [legalEntity],
  );
  return `${legalEntity}-${(result.rows[0]?.last_number ?? '0').padStart(6, '0')}`;
}

/** What finalizing one draft reads and writes. */
export interface FinalizeStore {
  db: Database;
  clock: Clock;
  catalog: CatalogService;
  draftedCatalog: DraftedCatalog;
}

/**
 * Finalizes one draft: marks the usage records it bills and proves they make up its lines (else
 * StaleUsageError), numbers it (next of its legal entity, consecutive), freezes it, and writes the
 * `invoice.finalized` message to the outbox, all in one transaction. A rollback gives the number back.
 */
export async function finalizeInvoice(
  { db, clock, catalog, draftedCatalog }: FinalizeStore,
  id: string,
  actor: string,
): Promise<Invoice> {
  await db.transaction(async (tx) => {
    const locked = await tx.query<LockedDraft>(
      `select i.status, i.legal_entity, i.subscription_key, i.customer_key, i.document, i.covered_start, i.covered_end, i.catalog_version, r.period as run_period
         from invoices i join billing_runs r on r.id = i.billing_run_id
        where i.id = $1 for update of i`,
      [id],
    );
    const row = locked.rows[0];
    if (!row) throw new NotFoundError(`there is no invoice ${id}`);
    if (row.status !== 'draft')
      throw new ConflictError(`invoice ${id} is ${row.status}; only a draft can be finalized`);
    await assertAdjustmentsCurrent(tx, id);
    await assertAdvanceFeesCurrent(tx, id);
    await assertCreditsCover(tx, catalog, id);
    await markBilledUsage(tx, await draftedCatalog(row.catalog_version, tx), {
      id,
      subscriptionKey: row.subscription_key,
      customerKey: row.customer_key,
      document: row.document,
      coveredStart: new Date(row.covered_start),
      coveredEnd: new Date(row.covered_end),
      runPeriod: row.run_period,
    });
    const now = clock.now();
    const number = await nextNumber(tx, row.legal_entity);
    await tx.query(
      `update invoices set status = 'finalized', number = $2, finalized_at = $3, updated_at = $3 where id = $1`,
      [id, number, now],
    );
    const invoice = (await findInvoice(tx, id)) as Invoice;
    await enqueue(tx, { topic: INVOICE_FINALIZED_TOPIC, key: id, payload: invoice, createdAt: now });
    await recordAudit(tx, now, [
      {
        actor,
        action: 'invoice.finalize',
        target: `invoice:${id}`,
        detail: { number, total: invoice.total, currency: invoice.currency },
      },
    ]);
  });
  return (await findInvoice(db, id)) as Invoice;
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
 * (the next billing run redrafts it), is skipped with the reason, never failing the others.
 */
export async function finalizeDue(deps: FinalizeDependencies, actor: string): Promise<FinalizeDueResult> {
  const due = await deps.db.query<{ id: string }>(
    `select id from invoices where status = 'draft' and finalize_after <= $1 order by period_start, finalize_after, id`,
    [deps.clock.now()],
  );
  const result: FinalizeDueResult = { finalized: [], skipped: [] };
  for (const { id } of due.rows) {
    try {
      await finalizeCurrent(deps, id, actor);
      result.finalized.push(id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      result.skipped.push({
        id,
        reason: [error.message, ...error.errors.map((item) => `${item.path}: ${item.message}`)].join('; '),
      });
    }
  }
  return result;
}
