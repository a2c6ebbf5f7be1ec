import type { Queryable } from '../../../platform/database/database.js';
import type { InvoiceDraft, InvoiceStatus } from '../billing.js';
import type { Timestamp } from '../../../platform/database/row-timestamp.js';

// Documents and their lines as a billing run drafts them: the documents it may redraft, locked, and the
// writes of new and redrafted ones, a chunk of documents per statement.

/** A document a run finds already drafted (or finalized) for what it is about to draft. */
export interface ExistingDocument {
  id: string;
  status: InvoiceStatus;
  contentHash: string;
}

interface ExistingDocumentRow {
  id: string;
  status: InvoiceStatus;
  content_hash: string;
}

function fromRowExistingDocument(row: ExistingDocumentRow): ExistingDocument {
  return { id: row.id, status: row.status, contentHash: row.content_hash };
}

interface PeriodInvoiceRow extends ExistingDocumentRow {
  subscription_key: string;
  period_start: Timestamp;
}

/**
 * The non-void invoices of the given subscription periods, locked until the transaction ends, keyed by
 * subscription and period start (ISO): one statement for a whole run.
 */
export async function findInvoicesFor(
  db: Queryable,
  periods: readonly { subscriptionKey: string; periodStart: string }[],
): Promise<Map<string, ExistingDocument>> {
  const found = new Map<string, ExistingDocument>();
  if (periods.length === 0) return found;
  const result = await db.query<PeriodInvoiceRow>(
    `select i.id, i.status, i.content_hash, i.subscription_key, i.period_start
       from invoices i join unnest($1::text[], $2::timestamptz[]) as w(sub, ps) on i.subscription_key = w.sub and i.period_start = w.ps
      where i.document = 'invoice' and i.status <> 'void'
      for update of i`,
    [periods.map((period) => period.subscriptionKey), periods.map((period) => period.periodStart)],
  );
  for (const row of result.rows) {
    found.set(periodKey(row.subscription_key, new Date(row.period_start).toISOString()), fromRowExistingDocument(row));
  }
  return found;
}

export const periodKey = (subscriptionKey: string, periodStart: string): string => `${subscriptionKey}\n${periodStart}`;

/** The draft memo correcting an invoice, if a run drafted one that is not finalized yet. */
export async function findDraftMemo(db: Queryable, correctsInvoiceId: string): Promise<ExistingDocument | undefined> {
  const result = await db.query<ExistingDocumentRow>(
    `select id, status, content_hash from invoices where document = 'memo' and corrects_invoice_id = $1 and status = 'draft' for update`,
    [correctsInvoiceId],
  );
  const row = result.rows[0];
  return row && fromRowExistingDocument(row);
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

// Rows per statement: big enough that a run of 10,000 invoices takes a handful of statements, small enough
// that no statement's parameters grow without bound.
const CHUNK = 2_000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += CHUNK) out.push(items.slice(index, index + CHUNK));
  return out;
}

type Column = readonly [name: string, sqlType: string, pick: (write: InvoiceWrite) => unknown];

/** What a draft's content sets: inserted with a new draft, all rewritten when a run redrafts it. */
const CONTENT_COLUMNS: readonly Column[] = [
  // The catalog may have moved the subscription's end (or its customer's entity) since the last draft.
  ['period_end', 'timestamptz', (w) => w.draft.periodEnd],
  ['covered_start', 'timestamptz', (w) => w.draft.coveredStart],
  ['covered_end', 'timestamptz', (w) => w.draft.coveredEnd],
  ['customer_key', 'text', (w) => w.draft.customerKey],
  ['legal_entity', 'text', (w) => w.draft.legalEntity],
  ['currency', 'text', (w) => w.draft.currency],
  ['subtotal', 'numeric', (w) => w.draft.subtotal],
  ['tax_total', 'numeric', (w) => w.draft.taxTotal],
  ['total', 'numeric', (w) => w.draft.total],
  ['catalog_version', 'int', (w) => w.draft.catalogVersion],
  ['advance_fees', 'jsonb', (w) => JSON.stringify(w.draft.advanceFees)],
  ['content_hash', 'text', (w) => w.contentHash],
  ['billing_run_id', 'text', (w) => w.runId],
  ['updated_at', 'timestamptz', (w) => w.now],
  ['finalize_after', 'timestamptz', (w) => w.finalizeAfter],
];

/** What only a new draft sets: who and which period it bills, and what it corrects or replaces. */
const IDENTITY_COLUMNS: readonly Column[] = [
  ['id', 'text', (w) => w.id],
  ['subscription_key', 'text', (w) => w.draft.subscriptionKey],
  ['period_start', 'timestamptz', (w) => w.draft.periodStart],
  ['corrects_invoice_id', 'text', (w) => w.correctsInvoiceId ?? null],
  ['replaces_invoice_id', 'text', (w) => w.replacesInvoiceId ?? null],
];

/** `unnest($1::text[], …) as w(a, …)` over the columns, and its parameters for a chunk of writes. */
function unnestWrites(
  columns: readonly Column[],
  chunk: readonly InvoiceWrite[],
): { from: string; params: unknown[][] } {
  const arrays = columns.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ');
  return {
    from: `unnest(${arrays}) as w(${columns.map(([name]) => name).join(', ')})`,
    params: columns.map(([, , pick]) => chunk.map(pick)),
  };
}

/** Inserts new drafts and their lines, a chunk of invoices per statement. */
export async function insertInvoices(db: Queryable, writes: readonly InvoiceWrite[]): Promise<void> {
  const columns = [...IDENTITY_COLUMNS, ...CONTENT_COLUMNS];
  const names = columns.map(([name]) => name).join(', ');
  for (const chunk of chunks(writes)) {
    const { from, params } = unnestWrites(columns, chunk);
    await db.query(
      `insert into invoices (${names}, status, created_at, document)
       select ${names}, 'draft', updated_at, case when corrects_invoice_id is null then 'invoice' else 'memo' end from ${from}`,
      params,
    );
  }
  await insertLines(db, writes);
}

/** Rewrites drafts with what the latest run drafted (the triggers refuse this for any other status). */
export async function replaceDrafts(db: Queryable, writes: readonly InvoiceWrite[]): Promise<void> {
  const columns = [IDENTITY_COLUMNS[0] as Column, ...CONTENT_COLUMNS];
  const assignments = CONTENT_COLUMNS.map(([name]) => `${name} = w.${name}`).join(', ');
  for (const chunk of chunks(writes)) {
    await db.query(`delete from invoice_lines where invoice_id = any($1)`, [chunk.map((w) => w.id)]);
    const { from, params } = unnestWrites(columns, chunk);
    await db.query(
      `update invoices i set ${assignments} from ${from} where i.id = w.id and i.status = 'draft'`,
      params,
    );
  }
  await insertLines(db, writes);
}

async function insertLines(db: Queryable, writes: readonly InvoiceWrite[]): Promise<void> {
  const lines = writes.flatMap((write) => write.draft.lines.map((line) => ({ invoiceId: write.id, ...line })));
  for (const chunk of chunks(lines)) {
    const column = <T>(pick: (line: (typeof lines)[number]) => T): T[] => chunk.map(pick);
    await db.query(
      `insert into invoice_lines (invoice_id, line_no, kind, charge_key, meter_key, description, period_start, period_end, quantity, unit_price, amount, breakdown, groups, adjusts_invoice_id, credit_key)
       select * from unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::numeric[], $10::numeric[], $11::numeric[], $12::jsonb[], $13::jsonb[], $14::text[], $15::text[])`,
      [
        column((l) => l.invoiceId),
        column((l) => l.lineNo),
        column((l) => l.kind),
        column((l) => l.chargeKey),
        column((l) => l.meterKey),
        column((l) => l.description),
        column((l) => l.periodStart),
        column((l) => l.periodEnd),
        column((l) => l.quantity),
        column((l) => l.unitPrice),
        column((l) => l.amount),
        column((l) => JSON.stringify(l.breakdown)),
        column((l) => JSON.stringify(l.groups)),
        column((l) => l.adjustsInvoiceId ?? null),
        column((l) => l.creditKey ?? null),
      ],
    );
  }
}

/**
 * Records that a ledger holds these finalized invoices (once; the table's trigger allows nothing else on
 * a final invoice): late usage then corrects them by memo instead of voiding and issuing them again.
 */
export async function markInvoicesPosted(db: Queryable, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `update invoices set posted_at = $2 where id = any($1) and status = 'finalized' and posted_at is null`,
    [ids, at],
  );
}
