import type { Queryable } from '../../../platform/database/database.js';
import { Exact } from '../../../platform/money.js';
import type { InvoiceStatus } from '../billing.js';
import type { Timestamp } from '../../../platform/database/row-timestamp.js';

// Finalized invoices as late usage sees them: the periods it is looked for in, what they and their
// adjustments billed, what a draft's adjustments assumed billed, and voiding one to issue it again.

/** A finalized invoice's period: where late usage for it is looked for. */
export interface FinalizedPeriod {
  invoiceId: string;
  number: string;
  subscriptionKey: string;
  periodStart: Date;
  periodEnd: Date;
  coveredStart: Date;
  coveredEnd: Date;
}

interface FinalizedPeriodRow {
  id: string;
  number: string;
  subscription_key: string;
  period_start: Timestamp;
  period_end: Timestamp;
  covered_start: Timestamp;
  covered_end: Timestamp;
}

function fromRowFinalizedPeriod(row: FinalizedPeriodRow): FinalizedPeriod {
  return {
    invoiceId: row.id,
    number: row.number,
    subscriptionKey: row.subscription_key,
    periodStart: new Date(row.period_start),
    periodEnd: new Date(row.period_end),
    coveredStart: new Date(row.covered_start),
    coveredEnd: new Date(row.covered_end),
  };
}

/** The finalized invoices (not memos) of these subscriptions, by subscription then covered start. */
export async function findFinalizedPeriods(
  db: Queryable,
  subscriptionKeys: readonly string[],
): Promise<FinalizedPeriod[]> {
  const result = await db.query<FinalizedPeriodRow>(
    `select id, number, subscription_key, period_start, period_end, covered_start, covered_end
       from invoices
      where status = 'finalized' and document = 'invoice' and subscription_key = any($1)
      order by subscription_key, covered_start, id`,
    [subscriptionKeys],
  );
  return result.rows.map(fromRowFinalizedPeriod);
}

interface BilledRow {
  quantity: string | null;
  amount: string | null;
}

/** What a finalized invoice and the finalized adjustments to it billed for one charge. */
export async function billedFor(
  db: Queryable,
  invoiceId: string,
  chargeKey: string,
): Promise<{ quantity: Exact; amount: Exact }> {
  const result = await db.query<BilledRow>(
    `select sum(l.quantity)::text as quantity, sum(l.amount)::text as amount
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.charge_key = $2 and l.kind in ('usage', 'adjustment') and i.status = 'finalized'
        and ((l.invoice_id = $1 and l.kind = 'usage') or l.adjusts_invoice_id = $1)`,
    [invoiceId, chargeKey],
  );
  const row = result.rows[0];
  return { quantity: new Exact(row?.quantity ?? '0'), amount: new Exact(row?.amount ?? '0') };
}

/** A late-usage adjustment line of a document, with what it assumed billed of the invoice it adjusts. */
export interface AdjustmentAssumption {
  lineNo: number;
  adjustsInvoiceId: string;
  /** The adjusted invoice's number, status and currency now. */
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  chargeKey: string;
  /** The line's `already_billed` breakdown entry: the quantity, and the amount (negative). */
  quantity: string | null;
  amount: string | null;
}

interface AdjustmentAssumptionRow {
  line_no: number | string;
  adjusts_invoice_id: string;
  number: string | null;
  status: InvoiceStatus;
  currency: string;
  charge_key: string;
  quantity: string | null;
  amount: string | null;
}

function fromRowAdjustmentAssumption(row: AdjustmentAssumptionRow): AdjustmentAssumption {
  return {
    lineNo: Number(row.line_no),
    adjustsInvoiceId: row.adjusts_invoice_id,
    number: row.number,
    status: row.status,
    currency: row.currency,
    chargeKey: row.charge_key,
    quantity: row.quantity,
    amount: row.amount,
  };
}

/** The document's metered adjustment lines, by line number. */
export async function findAdjustmentAssumptions(tx: Queryable, invoiceId: string): Promise<AdjustmentAssumption[]> {
  const result = await tx.query<AdjustmentAssumptionRow>(
    `select l.line_no, l.adjusts_invoice_id, a.number, a.status, a.currency, l.charge_key, b.item->>'quantity' as quantity, b.item->>'amount' as amount
       from invoice_lines l
       join invoices a on a.id = l.adjusts_invoice_id
       cross join lateral jsonb_array_elements(l.breakdown) as b(item)
      where l.invoice_id = $1 and l.kind = 'adjustment' and l.meter_key is not null and b.item->>'kind' = 'already_billed'
      order by l.line_no`,
    [invoiceId],
  );
  return result.rows.map(fromRowAdjustmentAssumption);
}

/** Locks the invoices' rows until the transaction ends, in id order (no two lockers deadlock). */
export async function lockInvoices(tx: Queryable, ids: readonly string[]): Promise<void> {
  await tx.query(`select id from invoices where id = any($1) order by id for update`, [ids]);
}

/**
 * Finalized invoices among these that cannot be voided and issued again, so are corrected by memo instead:
 * those an ERP already holds, and those another finalized document has already corrected (a memo, or a
 * roll-forward adjustment on a later invoice, made under another policy). Voiding one of the latter would
 * leave its corrections standing while the new invoice bills their usage again.
 */
export async function findUnreissuableInvoices(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const result = await db.query<{ id: string }>(
    `select i.id from invoices i
      where i.id = any($1)
        and (i.posted_at is not null
             or exists (select 1 from invoice_lines l join invoices c on c.id = l.invoice_id
                         where l.adjusts_invoice_id = i.id and c.status = 'finalized' and c.id <> i.id))`,
    [ids],
  );
  return new Set(result.rows.map((row) => row.id));
}

interface VoidedRow {
  number: string | null;
}

/**
 * Voids a finalized invoice no ERP holds yet, keeping its number and amounts; undefined (and nothing
 * changed) when it is not such an invoice.
 */
export async function voidInvoice(
  db: Queryable,
  invoiceId: string,
  now: Date,
): Promise<{ number: string | null } | undefined> {
  const result = await db.query<VoidedRow>(
    `update invoices set status = 'void', voided_at = $2, updated_at = $2 where id = $1 and status = 'finalized' and posted_at is null returning number`,
    [invoiceId, now],
  );
  const row = result.rows[0];
  return result.rowCount === 1 && row ? { number: row.number } : undefined;
}

/** Drops the draft memo correcting the invoice, if there is one (there is at most one). */
export async function deleteDraftMemo(db: Queryable, correctsInvoiceId: string): Promise<void> {
  await db.query(`delete from invoices where corrects_invoice_id = $1 and status = 'draft'`, [correctsInvoiceId]);
}

/**
 * Drops the draft memos of these subscriptions that correct none of `planned` (the invoices the run drafts a
 * memo for). A run plans a memo for every finalized invoice of a subscription it bills that still has
 * something to correct by memo; one it did not plan was drawn for a correction made elsewhere since (its late
 * usage billed by a roll-forward adjustment) or no longer made by memo (the policy changed). Kept, it would
 * bill that usage again or, refused by the finalize guard, stay a draft for good.
 */
export async function deleteUnplannedDraftMemos(
  db: Queryable,
  subscriptionKeys: readonly string[],
  planned: readonly string[],
): Promise<void> {
  if (subscriptionKeys.length === 0) return;
  await db.query(
    `delete from invoices
      where document = 'memo' and status = 'draft' and subscription_key = any($1)
        and not (corrects_invoice_id = any($2))`,
    [subscriptionKeys, planned],
  );
}
