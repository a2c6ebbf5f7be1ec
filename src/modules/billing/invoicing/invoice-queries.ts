import type { Queryable } from '../../../platform/database/database.js';
import type { InvoiceStatus, Invoice, InvoiceFilter, InvoiceLine, LineEvent } from '../billing.js';

const iso = (value: unknown) => new Date(value as string).toISOString();

const INVOICE_COLUMNS = `id, document, corrects_invoice_id, replaces_invoice_id, voided_at, number, status, subscription_key, customer_key, legal_entity, currency, period_start, period_end,
  covered_start, covered_end, subtotal::text, tax_total::text, total::text, catalog_version, billing_run_id, created_at, updated_at, finalize_after, finalized_at`;

function fromRow(row: Record<string, unknown>): Invoice {
  return {
    id: row.id as string,
    document: row.document as 'invoice' | 'memo',
    correctsInvoice: row.corrects_invoice_id as string | null,
    replacesInvoice: row.replaces_invoice_id as string | null,
    voidedAt: row.voided_at ? iso(row.voided_at) : null,
    number: row.number as string | null,
    status: row.status as InvoiceStatus,
    subscription: row.subscription_key as string,
    customer: row.customer_key as string,
    legalEntity: row.legal_entity as string,
    currency: row.currency as string,
    periodStart: iso(row.period_start),
    periodEnd: iso(row.period_end),
    coveredStart: iso(row.covered_start),
    coveredEnd: iso(row.covered_end),
    subtotal: row.subtotal as string,
    taxTotal: row.tax_total as string,
    total: row.total as string,
    catalogVersion: Number(row.catalog_version),
    billingRun: row.billing_run_id as string,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    finalizeAfter: iso(row.finalize_after),
    finalizedAt: row.finalized_at ? iso(row.finalized_at) : null,
  };
}

export async function findLines(db: Queryable, invoiceId: string): Promise<InvoiceLine[]> {
  const result = await db.query<Record<string, unknown>>(
    `select line_no, kind, charge_key, meter_key, description, period_start, period_end, quantity::text, unit_price::text, amount::text, breakdown, groups, credit_key
       from invoice_lines where invoice_id = $1 order by line_no`,
    [invoiceId],
  );
  return result.rows.map((row) => ({
    lineNo: Number(row.line_no),
    kind: row.kind as InvoiceLine['kind'],
    chargeKey: row.charge_key as string | null,
    meterKey: row.meter_key as string | null,
    description: row.description as string,
    periodStart: iso(row.period_start),
    periodEnd: iso(row.period_end),
    quantity: row.quantity as string | null,
    unitPrice: row.unit_price as string | null,
    amount: row.amount as string,
    breakdown: row.breakdown as InvoiceLine['breakdown'],
    groups: row.groups as InvoiceLine['groups'],
    creditKey: row.credit_key as string | null,
  }));
}

/** One invoice with its lines, or undefined. */
export async function findInvoice(db: Queryable, id: string): Promise<Invoice | undefined> {
  const result = await db.query<Record<string, unknown>>(`select ${INVOICE_COLUMNS} from invoices where id = $1`, [id]);
  const row = result.rows[0];
  return row && { ...fromRow(row), lines: await findLines(db, id) };
}

/** Invoices in id order (without lines). */
export async function listInvoices(db: Queryable, filter: InvoiceFilter, limit: number): Promise<Invoice[]> {
  const result = await db.query<Record<string, unknown>>(
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
  return result.rows.map(fromRow);
}

/**
 * The raw events behind a usage line (lineage), in log order, page by page: the usage records of the
 * line's subscription, meter and period joined to the events they came from.
 */
export async function findLineEvents(
  db: Queryable,
  invoiceId: string,
  lineNo: number,
  afterSeq: string,
  limit: number,
): Promise<LineEvent[] | undefined> {
  const line = await db.query<{ kind: string }>(
    `select kind from invoice_lines where invoice_id = $1 and line_no = $2`,
    [invoiceId, lineNo],
  );
  if (!line.rows[0]) return undefined;
  const result = await db.query<Record<string, unknown>>(
    `select r.seq::text, r.source, r.id, r.type, r.subject, r.time, u.value::text as value, u.dimensions
       from invoice_lines l
       join invoices i on i.id = l.invoice_id
       join usage_records u on u.subscription_key = i.subscription_key and u.meter_key = l.meter_key
                           and u.event_time >= l.period_start and u.event_time < l.period_end
       join raw_events r on r.seq = u.event_seq
      where l.invoice_id = $1 and l.line_no = $2 and l.kind in ('usage', 'adjustment') and u.event_seq > $3::bigint
        -- A final invoice bills exactly the records it froze; usage arriving later is not on it.
        and ((i.status = 'draft' and u.invoice_id is null) or u.invoice_id = i.id)
      order by u.event_seq limit $4`,
    [invoiceId, lineNo, afterSeq, limit],
  );
  return result.rows.map((row) => ({
    seq: row.seq as string,
    source: row.source as string,
    id: row.id as string,
    type: row.type as string,
    subject: row.subject as string | null,
    time: iso(row.time),
    value: row.value as string | null,
    dimensions: row.dimensions as Record<string, unknown>,
  }));
}
