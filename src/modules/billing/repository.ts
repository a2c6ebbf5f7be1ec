import type { Queryable } from '../../platform/database/database.js';
import type { InvoiceDraft } from './invoice-draft.js';

export type InvoiceStatus = 'draft' | 'finalized' | 'void';

/**
 * Takes the period's billing lock for the rest of the transaction; false when another run holds it.
 * Advisory locks are per database, so the key names the schema too: stores in other schemas of the
 * same database never block each other.
 */
export async function tryLockPeriod(db: Queryable, period: string): Promise<boolean> {
  const result = await db.query<{ locked: boolean }>(
    `select pg_try_advisory_xact_lock(hashtextextended('billing-run:' || current_schema() || ':' || $1, 0)) as locked`,
    [period],
  );
  return result.rows[0]?.locked === true;
}

export async function findInvoiceFor(db: Queryable, subscriptionKey: string, periodStart: string): Promise<{ id: string; status: InvoiceStatus; contentHash: string } | undefined> {
  const result = await db.query<{ id: string; status: InvoiceStatus; content_hash: string }>(
    `select id, status, content_hash from invoices where subscription_key = $1 and period_start = $2 and document = 'invoice' and status <> 'void' for update`,
    [subscriptionKey, periodStart],
  );
  const row = result.rows[0];
  return row && { id: row.id, status: row.status, contentHash: row.content_hash };
}

/** The draft memo correcting an invoice, if a run drafted one that is not finalized yet. */
export async function findDraftMemo(db: Queryable, correctsInvoiceId: string): Promise<{ id: string; status: InvoiceStatus; contentHash: string } | undefined> {
  const result = await db.query<{ id: string; status: InvoiceStatus; content_hash: string }>(
    `select id, status, content_hash from invoices where document = 'memo' and corrects_invoice_id = $1 and status = 'draft' for update`,
    [correctsInvoiceId],
  );
  const row = result.rows[0];
  return row && { id: row.id, status: row.status, contentHash: row.content_hash };
}

export interface InvoiceWrite {
  id: string;
  draft: InvoiceDraft;
  contentHash: string;
  runId: string;
  now: Date;
  finalizeAfter: Date;
  /** A memo: the finalized invoice it corrects. */
  correctsInvoiceId?: string;
  /** A reissued invoice: the voided one it replaces. */
  replacesInvoiceId?: string;
}

export async function insertInvoice(db: Queryable, write: InvoiceWrite): Promise<void> {
  const { draft } = write;
  await db.query(
    `insert into invoices (id, subscription_key, period_start, period_end, covered_start, covered_end, customer_key, legal_entity, currency, status,
                           subtotal, tax_total, total, catalog_version, content_hash, billing_run_id, created_at, updated_at, finalize_after,
                           document, corrects_invoice_id, replaces_invoice_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11, $12, $13, $14, $15, $16, $16, $17, $18, $19, $20)`,
    [write.id, draft.subscriptionKey, draft.periodStart, draft.periodEnd, draft.coveredStart, draft.coveredEnd, draft.customerKey, draft.legalEntity, draft.currency,
      draft.subtotal, draft.taxTotal, draft.total, draft.catalogVersion, write.contentHash, write.runId, write.now, write.finalizeAfter,
      write.correctsInvoiceId ? 'memo' : 'invoice', write.correctsInvoiceId ?? null, write.replacesInvoiceId ?? null],
  );
  await insertLines(db, write.id, draft);
}

/** Rewrites a draft with what the latest run drafted (the triggers refuse this for any other status). */
export async function replaceDraft(db: Queryable, write: InvoiceWrite): Promise<void> {
  const { draft } = write;
  await db.query(`delete from invoice_lines where invoice_id = $1`, [write.id]);
  await db.query(
    `update invoices set subtotal = $2, tax_total = $3, total = $4, catalog_version = $5, content_hash = $6, billing_run_id = $7, updated_at = $8, finalize_after = $9
      where id = $1 and status = 'draft'`,
    [write.id, draft.subtotal, draft.taxTotal, draft.total, draft.catalogVersion, write.contentHash, write.runId, write.now, write.finalizeAfter],
  );
  await insertLines(db, write.id, draft);
}

async function insertLines(db: Queryable, invoiceId: string, draft: InvoiceDraft): Promise<void> {
  const lines = draft.lines;
  if (lines.length === 0) return;
  await db.query(
    `insert into invoice_lines (invoice_id, line_no, kind, charge_key, meter_key, description, period_start, period_end, quantity, unit_price, amount, breakdown, groups, adjusts_invoice_id)
     select $1, * from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::numeric[], $10::numeric[], $11::numeric[], $12::jsonb[], $13::jsonb[], $14::text[])`,
    [
      invoiceId,
      lines.map((l) => l.lineNo),
      lines.map((l) => l.kind),
      lines.map((l) => l.chargeKey),
      lines.map((l) => l.meterKey),
      lines.map((l) => l.description),
      lines.map((l) => l.periodStart),
      lines.map((l) => l.periodEnd),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitPrice),
      lines.map((l) => l.amount),
      lines.map((l) => JSON.stringify(l.breakdown)),
      lines.map((l) => JSON.stringify(l.groups)),
      lines.map((l) => l.adjustsInvoiceId ?? null),
    ],
  );
}

export interface BillingRunRecord {
  id: string;
  period: string;
  startedAt: Date;
  finishedAt: Date;
  actor: string;
  summary: Record<string, unknown>;
}

/** Writes the run's final summary (the row exists from the start: invoices refer to it). */
export async function completeRun(db: Queryable, id: string, finishedAt: Date, summary: Record<string, unknown>): Promise<void> {
  await db.query(`update billing_runs set finished_at = $2, summary = $3 where id = $1`, [id, finishedAt, JSON.stringify(summary)]);
}

export async function insertRun(db: Queryable, run: BillingRunRecord): Promise<void> {
  await db.query(
    `insert into billing_runs (id, period, started_at, finished_at, actor, summary) values ($1, $2, $3, $4, $5, $6)`,
    [run.id, run.period, run.startedAt, run.finishedAt, run.actor, JSON.stringify(run.summary)],
  );
}
