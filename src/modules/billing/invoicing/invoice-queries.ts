import type { Queryable } from '../../../platform/database/database.js';
import type { InvoiceStatus, Invoice, InvoiceFilter, InvoiceLine } from '../billing.js';
import { iso, type Timestamp } from '../../../platform/database/row-timestamp.js';

const INVOICE_COLUMNS = `id, document, corrects_invoice_id, replaces_invoice_id, voided_at, number, status, subscription_key, customer_key, legal_entity, currency, period_start, period_end,
  covered_start, covered_end, subtotal::text, tax_total::text, total::text, catalog_version, billing_run_id, created_at, updated_at, finalize_after, finalized_at`;

interface InvoiceRow {
  id: string;
  document: Invoice['document'];
  corrects_invoice_id: string | null;
  replaces_invoice_id: string | null;
  voided_at: Timestamp | null;
  number: string | null;
  status: InvoiceStatus;
  subscription_key: string;
  customer_key: string;
  legal_entity: string;
  currency: string;
  period_start: Timestamp;
  period_end: Timestamp;
  covered_start: Timestamp;
  covered_end: Timestamp;
  subtotal: string;
  tax_total: string;
  total: string;
  catalog_version: number | string;
  billing_run_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  finalize_after: Timestamp;
  finalized_at: Timestamp | null;
}

function fromRowInvoice(row: InvoiceRow): Invoice {
  return {
    id: row.id,
    document: row.document,
    correctsInvoice: row.corrects_invoice_id,
    replacesInvoice: row.replaces_invoice_id,
    voidedAt: row.voided_at ? iso(row.voided_at) : null,
    number: row.number,
    status: row.status,
    subscription: row.subscription_key,
    customer: row.customer_key,
    legalEntity: row.legal_entity,
    currency: row.currency,
    periodStart: iso(row.period_start),
    periodEnd: iso(row.period_end),
    coveredStart: iso(row.covered_start),
    coveredEnd: iso(row.covered_end),
    subtotal: row.subtotal,
    taxTotal: row.tax_total,
    total: row.total,
    catalogVersion: Number(row.catalog_version),
    billingRun: row.billing_run_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    finalizeAfter: iso(row.finalize_after),
    finalizedAt: row.finalized_at ? iso(row.finalized_at) : null,
  };
}

interface InvoiceLineRow {
  line_no: number | string;
  kind: InvoiceLine['kind'];
  charge_key: string | null;
  meter_key: string | null;
  description: string;
  period_start: Timestamp;
  period_end: Timestamp;
  quantity: string | null;
  unit_price: string | null;
  amount: string;
  breakdown: InvoiceLine['breakdown'];
  groups: InvoiceLine['groups'];
  credit_key: string | null;
}

function fromRowInvoiceLine(row: InvoiceLineRow): InvoiceLine {
  return {
    lineNo: Number(row.line_no),
    kind: row.kind,
    chargeKey: row.charge_key,
    meterKey: row.meter_key,
    description: row.description,
    periodStart: iso(row.period_start),
    periodEnd: iso(row.period_end),
    quantity: row.quantity,
    unitPrice: row.unit_price,
    amount: row.amount,
    breakdown: row.breakdown,
    groups: row.groups,
    creditKey: row.credit_key,
  };
}

export async function findLines(db: Queryable, invoiceId: string): Promise<InvoiceLine[]> {
  const result = await db.query<InvoiceLineRow>(
    `select line_no, kind, charge_key, meter_key, description, period_start, period_end, quantity::text, unit_price::text, amount::text, breakdown, groups, credit_key
       from invoice_lines where invoice_id = $1 order by line_no`,
    [invoiceId],
  );
  return result.rows.map(fromRowInvoiceLine);
}

/** One invoice with its lines, or undefined. */
export async function findInvoice(db: Queryable, id: string): Promise<Invoice | undefined> {
  const result = await db.query<InvoiceRow>(`select ${INVOICE_COLUMNS} from invoices where id = $1`, [id]);
  const row = result.rows[0];
  return row && { ...fromRowInvoice(row), lines: await findLines(db, id) };
}

/** Invoices in id order (without lines). */
export async function listInvoices(db: Queryable, filter: InvoiceFilter, limit: number): Promise<Invoice[]> {
  const result = await db.query<InvoiceRow>(
    `select ${INVOICE_COLUMNS} from invoices
      where ($1::text is null or customer_key = $1) and ($2::text is null or status = $2) and ($3::text is null or legal_entity = $3)
        and ($4::timestamptz is null or period_start >= $4) and ($5::timestamptz is null or period_start < $5) and ($6::text is null or id > $6)
      order by id limit $7`,
    [
      filter.customer ?? null,
      filter.status ?? null,
      filter.legalEntity ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.afterId ?? null,
      limit,
    ],
  );
  return result.rows.map(fromRowInvoice);
}

/** Where the usage behind a line is: its meter window, and whether its document is still a draft. */
export interface LineWindow {
  kind: InvoiceLine['kind'];
  meterKey: string | null;
  start: Date;
  end: Date;
  subscriptionKey: string;
  status: InvoiceStatus;
}

interface LineWindowRow {
  kind: InvoiceLine['kind'];
  meter_key: string | null;
  period_start: Timestamp;
  period_end: Timestamp;
  subscription_key: string;
  status: InvoiceStatus;
}

/** One line's meter window, or undefined when the invoice has no such line. */
export async function findLineWindow(
  db: Queryable,
  invoiceId: string,
  lineNo: number,
): Promise<LineWindow | undefined> {
  const result = await db.query<LineWindowRow>(
    `select l.kind, l.meter_key, l.period_start, l.period_end, i.subscription_key, i.status
       from invoice_lines l join invoices i on i.id = l.invoice_id
      where l.invoice_id = $1 and l.line_no = $2`,
    [invoiceId, lineNo],
  );
  const row = result.rows[0];
  return (
    row && {
      kind: row.kind,
      meterKey: row.meter_key,
      start: new Date(row.period_start),
      end: new Date(row.period_end),
      subscriptionKey: row.subscription_key,
      status: row.status,
    }
  );
}
