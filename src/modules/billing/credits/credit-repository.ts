import type { Queryable } from '../../../platform/database/database.js';
import type { CreditEntry, Invoice, InvoiceStatus } from '../billing.js';
import { iso, type Timestamp } from '../../../platform/database/row-timestamp.js';

// The credit ledger is the invoices' own lines: a line naming a credit is its commitment (positive) or a
// draw on it (negative). These read it for balances, for a run's draws, for the guard and the catalog.

type CreditLineKind = 'commitment' | 'credit';

/**
 * Serializes everything that draws on or judges prepaid credit (billing runs of any month, finalizing a
 * document with credit lines, a catalog apply changing used credits) until the transaction ends: two
 * runs of different months would otherwise each see the whole balance and overdraw it together.
 */
export async function lockCredits(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtextextended('credits:' || current_schema(), 0))`);
}

/** What documents of one status come to for one credit, by line kind. */
export interface CreditTotal {
  subscriptionKey: string;
  creditKey: string;
  kind: CreditLineKind;
  status: InvoiceStatus;
  /** The sum of the lines, as stored: a draw is negative. */
  amount: string;
  /** The first of those documents by id. */
  invoiceId: string;
}

interface CreditTotalRow {
  subscription_key: string;
  credit_key: string;
  kind: CreditLineKind;
  status: InvoiceStatus;
  amount: string;
  invoice: string;
}

function fromRowCreditTotal(row: CreditTotalRow): CreditTotal {
  return {
    subscriptionKey: row.subscription_key,
    creditKey: row.credit_key,
    kind: row.kind,
    status: row.status,
    amount: row.amount,
    invoiceId: row.invoice,
  };
}

/** The credit lines of the subscriptions' non-void documents, summed by credit, kind and document status. */
export async function findCreditTotals(db: Queryable, subscriptionKeys: readonly string[]): Promise<CreditTotal[]> {
  if (subscriptionKeys.length === 0) return [];
  const result = await db.query<CreditTotalRow>(
    `select i.subscription_key, l.credit_key, l.kind, i.status, sum(l.amount)::text as amount, min(i.id) as invoice
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.credit_key is not null and i.status <> 'void' and i.subscription_key = any($1)
      group by i.subscription_key, l.credit_key, l.kind, i.status`,
    [subscriptionKeys],
  );
  return result.rows.map(fromRowCreditTotal);
}

/** One document's line for a credit: an entry of its history, with the line's amount as stored (a draw is negative). */
export interface CreditLine extends Omit<CreditEntry, 'amount'> {
  lineAmount: string;
}

interface CreditLineRow {
  id: string;
  number: string | null;
  document: Invoice['document'];
  status: InvoiceStatus;
  period_start: Timestamp;
  period_end: Timestamp;
  kind: CreditLineKind;
  amount: string;
}

function fromRowCreditLine(row: CreditLineRow): CreditLine {
  return {
    invoice: row.id,
    number: row.number,
    document: row.document,
    status: row.status,
    periodStart: iso(row.period_start),
    periodEnd: iso(row.period_end),
    kind: row.kind,
    lineAmount: row.amount,
  };
}

/** Every document's lines for one credit, void ones included, in period order. */
export async function findCreditLines(
  db: Queryable,
  subscriptionKey: string,
  creditKey: string,
): Promise<CreditLine[]> {
  const result = await db.query<CreditLineRow>(
    `select i.id, i.number, i.document, i.status, i.period_start, i.period_end, l.kind, l.amount::text as amount
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where i.subscription_key = $1 and l.credit_key = $2
      order by i.period_start, i.created_at, l.line_no`,
    [subscriptionKey, creditKey],
  );
  return result.rows.map(fromRowCreditLine);
}

interface FinalizedCreditUseRow {
  id: string;
  drawn: string;
  committed: boolean;
}

/**
 * What finalized documents drew from each of these credits (`subscription/credit`) and whether one
 * invoiced it; unused credits are left out. Takes the credits lock first: no document finalizes with
 * credit lines until the caller's transaction (a catalog apply) ends.
 */
export async function finalizedCreditUse(
  db: Queryable,
  creditIds: readonly string[],
): Promise<Map<string, { drawn: string; committed: boolean }>> {
  await lockCredits(db);
  const result = await db.query<FinalizedCreditUseRow>(
    `select i.subscription_key || '/' || l.credit_key as id, coalesce(sum(-l.amount) filter (where l.kind = 'credit'), 0)::text as drawn,
            bool_or(l.kind = 'commitment') as committed
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.credit_key is not null and i.status = 'finalized' and i.subscription_key || '/' || l.credit_key = any($1)
      group by 1`,
    [creditIds],
  );
  return new Map(result.rows.map((row) => [row.id, { drawn: row.drawn, committed: row.committed }]));
}

/** What one document draws from one credit (positive). */
export interface CreditDraw {
  subscriptionKey: string;
  creditKey: string;
  drawn: string;
}

interface CreditDrawRow {
  subscription_key: string;
  credit_key: string;
  drawn: string;
}

function fromRowCreditDraw(row: CreditDrawRow): CreditDraw {
  return { subscriptionKey: row.subscription_key, creditKey: row.credit_key, drawn: row.drawn };
}

/** The document's draws, one per credit. */
export async function findCreditDraws(tx: Queryable, invoiceId: string): Promise<CreditDraw[]> {
  const result = await tx.query<CreditDrawRow>(
    `select i.subscription_key, l.credit_key, sum(-l.amount)::text as drawn
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.invoice_id = $1 and l.kind = 'credit' group by i.subscription_key, l.credit_key`,
    [invoiceId],
  );
  return result.rows.map(fromRowCreditDraw);
}

/** What one non-void document's lines of one kind come to for one credit. */
export interface DocumentCreditUse {
  subscriptionKey: string;
  creditKey: string;
  kind: CreditLineKind;
  invoiceId: string;
  document: Invoice['document'];
  status: InvoiceStatus;
  periodStart: Date;
  correctsInvoiceId: string | null;
  /** As stored: a draw is negative. */
  amount: string;
}

interface DocumentCreditUseRow {
  subscription_key: string;
  credit_key: string;
  kind: CreditLineKind;
  id: string;
  document: Invoice['document'];
  status: InvoiceStatus;
  period_start: Timestamp;
  corrects_invoice_id: string | null;
  amount: string;
}

function fromRowDocumentCreditUse(row: DocumentCreditUseRow): DocumentCreditUse {
  return {
    subscriptionKey: row.subscription_key,
    creditKey: row.credit_key,
    kind: row.kind,
    invoiceId: row.id,
    document: row.document,
    status: row.status,
    periodStart: new Date(row.period_start),
    correctsInvoiceId: row.corrects_invoice_id,
    amount: row.amount,
  };
}

/** The credit lines of the subscriptions' non-void documents, summed by credit, kind and document. */
export async function findDocumentCreditUses(
  db: Queryable,
  subscriptionKeys: readonly string[],
): Promise<DocumentCreditUse[]> {
  if (subscriptionKeys.length === 0) return [];
  const result = await db.query<DocumentCreditUseRow>(
    `select i.subscription_key, l.credit_key, l.kind, i.id, i.document, i.status, i.period_start, i.corrects_invoice_id, sum(l.amount)::text as amount
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.credit_key is not null and i.status <> 'void' and i.subscription_key = any($1)
      group by i.subscription_key, l.credit_key, l.kind, i.id, i.document, i.status, i.period_start, i.corrects_invoice_id`,
    [subscriptionKeys],
  );
  return result.rows.map(fromRowDocumentCreditUse);
}
