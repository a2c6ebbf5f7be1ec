import type { Queryable } from '../../../platform/database/database.js';
import type { Invoice, InvoiceStatus } from '../billing.js';
import type { Timestamp } from '../../../platform/database/row-timestamp.js';

// What finalizing reads and writes: the draft, locked; the usage lines it answers for; the legal entity's
// number sequence; the frozen status; and which drafts are due.

/** A document being finalized, with the month of the run that drafted it (a stale draft is drawn again by it). */
export interface LockedDraft {
  status: InvoiceStatus;
  legalEntity: string;
  subscriptionKey: string;
  customerKey: string;
  document: Invoice['document'];
  coveredStart: Date;
  coveredEnd: Date;
  catalogVersion: number;
  runPeriod: string;
}

interface LockedDraftRow {
  status: InvoiceStatus;
  legal_entity: string;
  subscription_key: string;
  customer_key: string;
  document: Invoice['document'];
  covered_start: Timestamp;
  covered_end: Timestamp;
  catalog_version: number | string;
  run_period: string;
}

function fromRowLockedDraft(row: LockedDraftRow): LockedDraft {
  return {
    status: row.status,
    legalEntity: row.legal_entity,
    subscriptionKey: row.subscription_key,
    customerKey: row.customer_key,
    document: row.document,
    coveredStart: new Date(row.covered_start),
    coveredEnd: new Date(row.covered_end),
    catalogVersion: Number(row.catalog_version),
    runPeriod: row.run_period,
  };
}

/** The invoice, its row locked until the transaction ends; undefined when there is none. */
export async function lockDraft(tx: Queryable, id: string): Promise<LockedDraft | undefined> {
  const result = await tx.query<LockedDraftRow>(
    `select i.status, i.legal_entity, i.subscription_key, i.customer_key, i.document, i.covered_start, i.covered_end, i.catalog_version, r.period as run_period
       from invoices i join billing_runs r on r.id = i.billing_run_id
      where i.id = $1 for update of i`,
    [id],
  );
  const row = result.rows[0];
  return row && fromRowLockedDraft(row);
}

/** A usage or adjustment line of the document, in the meter window it bills. */
export interface MeteredLine {
  lineNo: number;
  meterKey: string;
  start: Date;
  end: Date;
  quantity: string;
  /** What other finalized documents of the subscription bill of the line's charge in the same window. */
  billedBefore: string;
}

interface MeteredLineRow {
  line_no: number | string;
  meter_key: string;
  period_start: Timestamp;
  period_end: Timestamp;
  quantity: string;
  billed_before: string;
}

function fromRowMeteredLine(row: MeteredLineRow): MeteredLine {
  return {
    lineNo: Number(row.line_no),
    meterKey: row.meter_key,
    start: new Date(row.period_start),
    end: new Date(row.period_end),
    quantity: row.quantity,
    billedBefore: row.billed_before,
  };
}

/** The document's lines that bill metered usage, with what other finalized documents bill of each, by line. */
export async function findMeteredLines(
  tx: Queryable,
  invoiceId: string,
  subscriptionKey: string,
): Promise<MeteredLine[]> {
  const result = await tx.query<MeteredLineRow>(
    `select l.line_no, l.meter_key, l.period_start, l.period_end, l.quantity::text as quantity,
            (select coalesce(sum(o.quantity), 0) from invoice_lines o join invoices d on d.id = o.invoice_id
              where d.status = 'finalized' and d.id <> l.invoice_id and d.subscription_key = $2 and o.charge_key = l.charge_key
                and o.kind in ('usage', 'adjustment') and o.period_start = l.period_start and o.period_end = l.period_end)::text as billed_before
       from invoice_lines l
      where l.invoice_id = $1 and l.kind in ('usage', 'adjustment') and l.meter_key is not null and l.quantity is not null
      order by l.line_no`,
    [invoiceId, subscriptionKey],
  );
  return result.rows.map(fromRowMeteredLine);
}

/**
 * The next value of the legal entity's sequence, with its row locked until the transaction ends: no
 * gaps, and a rollback gives it back.
 */
export async function nextSequenceValue(db: Queryable, legalEntity: string): Promise<string> {
  await db.query(
    `insert into invoice_sequences (legal_entity, last_number) values ($1, 0) on conflict (legal_entity) do nothing`,
    [legalEntity],
  );
  const result = await db.query<{ last_number: string }>(
    `update invoice_sequences set last_number = last_number + 1 where legal_entity = $1 returning last_number::text`,
    [legalEntity],
  );
  return result.rows[0]?.last_number ?? '0';
}

/** Freezes the draft under its number (the triggers keep it as it is from then on). */
export async function markFinalized(tx: Queryable, id: string, number: string, now: Date): Promise<void> {
  await tx.query(
    `update invoices set status = 'finalized', number = $2, finalized_at = $3, updated_at = $3 where id = $1`,
    [id, number, now],
  );
}

/** Drafts whose grace period has passed, earliest period first. */
export async function findDueDrafts(db: Queryable, now: Date): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `select id from invoices where status = 'draft' and finalize_after <= $1 order by period_start, finalize_after, id`,
    [now],
  );
  return result.rows.map((row) => row.id);
}
