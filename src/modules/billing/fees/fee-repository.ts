import type { Queryable } from '../../../platform/database/database.js';
import { Exact } from '../../../platform/money.js';
import type { Invoice, InvoiceStatus, Period } from '../billing.js';
import type { Timestamp } from '../../../platform/database/row-timestamp.js';

// The fee ledger is the invoices' own lines: a fee line has a charge and no meter (flat fees and their
// adjustments). These read it for a billing run, for the memos of fees no period reaches any more, and
// for the guard that finalizes a document only while what it assumed billed still is.

const FEE_LINE = `l.kind in ('flat_fee', 'adjustment') and l.meter_key is null and l.charge_key is not null`;

/** A fee line of a non-void document, with the document it is on. */
export interface BilledFeeLine {
  subscriptionKey: string;
  document: Invoice['document'];
  /** The period start of the line's document. */
  documentPeriodStart: Date;
  invoiceId: string;
  number: string | null;
  status: InvoiceStatus;
  chargeKey: string;
  start: Date;
  end: Date;
  amount: string;
}

interface BilledFeeLineRow {
  subscription_key: string;
  document_period_start: Timestamp;
  document: Invoice['document'];
  id: string;
  number: string | null;
  status: InvoiceStatus;
  charge_key: string;
  period_start: Timestamp;
  period_end: Timestamp;
  amount: string;
}

function fromRowBilledFeeLine(row: BilledFeeLineRow): BilledFeeLine {
  return {
    subscriptionKey: row.subscription_key,
    document: row.document,
    documentPeriodStart: new Date(row.document_period_start),
    invoiceId: row.id,
    number: row.number,
    status: row.status,
    chargeKey: row.charge_key,
    start: new Date(row.period_start),
    end: new Date(row.period_end),
    amount: row.amount,
  };
}

/** Fee lines of non-void documents of the subscriptions that overlap [from, ∞). */
export async function findFeeLines(
  db: Queryable,
  subscriptionKeys: readonly string[],
  from: Date,
): Promise<BilledFeeLine[]> {
  if (subscriptionKeys.length === 0) return [];
  const result = await db.query<BilledFeeLineRow>(
    `select i.subscription_key, i.period_start as document_period_start, i.document, i.id, i.number, i.status,
            l.charge_key, l.period_start, l.period_end, l.amount::text as amount
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where i.subscription_key = any($1) and i.status <> 'void' and ${FEE_LINE} and l.period_end > $2`,
    [subscriptionKeys, from],
  );
  return result.rows.map(fromRowBilledFeeLine);
}

/**
 * What finalized documents other than `invoiceId` billed for the charge's fee over [start, end): the
 * finalization guard's reading of the same ledger.
 */
export async function finalizedFeeBilled(
  db: Queryable,
  subscriptionKey: string,
  invoiceId: string,
  chargeKey: string,
  period: Period,
): Promise<Exact> {
  const result = await db.query<{ amount: string | null }>(
    `select sum(l.amount)::text as amount
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where i.subscription_key = $1 and i.id <> $2 and i.status = 'finalized' and ${FEE_LINE}
        and l.charge_key = $3 and l.period_start < $5 and l.period_end > $4`,
    [subscriptionKey, invoiceId, chargeKey, period.start, period.end],
  );
  return new Exact(result.rows[0]?.amount ?? '0');
}

/** The drafts other than `invoiceId` with a line for the charge's fee over [start, end), by id. */
export async function findFeeDrafts(
  tx: Queryable,
  subscriptionKey: string,
  invoiceId: string,
  chargeKey: string,
  period: Period,
): Promise<string[]> {
  const result = await tx.query<{ id: string }>(
    `select distinct i.id from invoice_lines l join invoices i on i.id = l.invoice_id
        where i.subscription_key = $1 and i.id <> $2 and i.status = 'draft' and ${FEE_LINE} and l.charge_key = $3 and l.period_start < $5 and l.period_end > $4
        order by i.id`,
    [subscriptionKey, invoiceId, chargeKey, period.start, period.end],
  );
  return result.rows.map((row) => row.id);
}

/** What a document expects its period's in-advance fees to come to, by charge, when other documents bill them. */
export interface AdvanceFeeTerms {
  subscriptionKey: string;
  currency: string;
  period: Period;
  advanceFees: Record<string, string>;
}

interface AdvanceFeeTermsRow {
  subscription_key: string;
  currency: string;
  period_start: Timestamp;
  period_end: Timestamp;
  advance_fees: Record<string, string>;
}

function fromRowAdvanceFeeTerms(row: AdvanceFeeTermsRow): AdvanceFeeTerms {
  return {
    subscriptionKey: row.subscription_key,
    currency: row.currency,
    period: { start: new Date(row.period_start), end: new Date(row.period_end) },
    advanceFees: row.advance_fees,
  };
}

export async function findAdvanceFeeTerms(tx: Queryable, invoiceId: string): Promise<AdvanceFeeTerms | undefined> {
  const result = await tx.query<AdvanceFeeTermsRow>(
    `select subscription_key, currency, period_start, period_end, advance_fees from invoices where id = $1`,
    [invoiceId],
  );
  const row = result.rows[0];
  return row && fromRowAdvanceFeeTerms(row);
}

/** A fee line of the document, with what it assumed finalized documents had billed for its period. */
export interface AssumedFeeLine {
  lineNo: number;
  chargeKey: string;
  period: Period;
  amount: string;
  /** The line's `already_billed` breakdown entry, positive; null when it has none (the whole fee). */
  assumed: string | null;
}

interface AssumedFeeLineRow {
  line_no: number | string;
  charge_key: string;
  period_start: Timestamp;
  period_end: Timestamp;
  amount: string;
  assumed: string | null;
}

function fromRowAssumedFeeLine(row: AssumedFeeLineRow): AssumedFeeLine {
  return {
    lineNo: Number(row.line_no),
    chargeKey: row.charge_key,
    period: { start: new Date(row.period_start), end: new Date(row.period_end) },
    amount: row.amount,
    assumed: row.assumed,
  };
}

/** The document's fee lines, by line number. */
export async function findAssumedFeeLines(tx: Queryable, invoiceId: string): Promise<AssumedFeeLine[]> {
  const result = await tx.query<AssumedFeeLineRow>(
    `select l.line_no, l.charge_key, l.period_start, l.period_end, l.amount::text as amount,
            (select -(b.item->>'amount')::numeric from jsonb_array_elements(l.breakdown) as b(item) where b.item->>'kind' = 'already_billed' limit 1)::text as assumed
       from invoice_lines l where l.invoice_id = $1 and ${FEE_LINE} order by l.line_no`,
    [invoiceId],
  );
  return result.rows.map(fromRowAssumedFeeLine);
}

/**
 * Serializes the finalizations of one subscription's documents that bill in-advance fees until the
 * transaction ends. Keyed by schema too, like every advisory lock here.
 */
export async function lockAdvanceFees(tx: Queryable, subscriptionKey: string): Promise<void> {
  await tx.query(
    `select pg_advisory_xact_lock(hashtextextended('advance-fees:' || current_schema() || ':' || $1, 0))`,
    [subscriptionKey],
  );
}

/** A fee line of a finalized document for a period at or after its subscription's end. */
export interface OrphanedFeeLine {
  subscriptionKey: string;
  /** The invoice the line is on or, for a memo's line, the invoice the memo corrects. */
  invoiceId: string;
  /** That invoice's number, period and covered part. */
  number: string | null;
  period: Period;
  covered: Period;
  /** The document the line is on. */
  document: Invoice['document'];
  chargeKey: string;
  feeStart: Date;
  feeEnd: Date;
  amount: string;
}

interface OrphanedFeeLineRow {
  subscription_key: string;
  invoice_id: string;
  number: string | null;
  document: Invoice['document'];
  period_start: Timestamp;
  period_end: Timestamp;
  covered_start: Timestamp;
  covered_end: Timestamp;
  charge_key: string;
  fee_start: Timestamp;
  fee_end: Timestamp;
  amount: string;
}

function fromRowOrphanedFeeLine(row: OrphanedFeeLineRow): OrphanedFeeLine {
  return {
    subscriptionKey: row.subscription_key,
    invoiceId: row.invoice_id,
    number: row.number,
    period: { start: new Date(row.period_start), end: new Date(row.period_end) },
    covered: { start: new Date(row.covered_start), end: new Date(row.covered_end) },
    document: row.document,
    chargeKey: row.charge_key,
    feeStart: new Date(row.fee_start),
    feeEnd: new Date(row.fee_end),
    amount: row.amount,
  };
}

/** When a subscription ends (the catalog's text). */
export interface SubscriptionEnd {
  subscriptionKey: string;
  endsAt: string;
}

/**
 * Fee lines of finalized documents for periods starting at or after their subscription's end, by
 * subscription, charge and period, in the order the documents were finalized.
 */
export async function findOrphanedFeeLines(
  db: Queryable,
  ends: readonly SubscriptionEnd[],
): Promise<OrphanedFeeLine[]> {
  const result = await db.query<OrphanedFeeLineRow>(
    `select i.subscription_key, coalesce(i.corrects_invoice_id, i.id) as invoice_id, c.number, i.document,
            c.period_start, c.period_end, c.covered_start, c.covered_end,
            l.charge_key, l.period_start as fee_start, l.period_end as fee_end, l.amount::text as amount
       from invoice_lines l
       join invoices i on i.id = l.invoice_id
       join invoices c on c.id = coalesce(i.corrects_invoice_id, i.id)
       join unnest($1::text[], $2::timestamptz[]) as e(subscription_key, ends_at) on e.subscription_key = i.subscription_key
      where i.status = 'finalized' and ${FEE_LINE} and l.period_start >= e.ends_at
      order by i.subscription_key, l.charge_key, l.period_start, i.finalized_at`,
    [ends.map((end) => end.subscriptionKey), ends.map((end) => end.endsAt)],
  );
  return result.rows.map(fromRowOrphanedFeeLine);
}
