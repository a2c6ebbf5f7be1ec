import type { Queryable } from '../../../platform/database/database.js';

// Reconciliation's door onto finalized documents: what was rated and invoiced for a period, per legal
// entity, currency, customer and meter (lines without a meter — fees, discounts, credits, tax — under a
// null meter), in SQL on numeric; and which (document, meter) pairs have a usage line at all.

export interface InvoiceTallyScope {
  /** Documents whose period starts in [from, to). */
  from: Date;
  to: Date;
  legalEntity?: string;
}

export interface InvoicedTally {
  legalEntity: string;
  currency: string;
  customer: string;
  meter: string | null;
  /** Finalized documents (invoices and memos) with lines of this meter. */
  documents: number;
  /** Sum of the usage and adjustment lines' quantities (null for lines without a meter). */
  quantity: string | null;
  /** Sum of the lines' amounts, exact decimal text. */
  amount: string;
}

interface InvoicedTallyRow {
  legal_entity: string;
  currency: string;
  customer_key: string;
  meter_key: string | null;
  documents: string;
  quantity: string | null;
  amount: string;
}

export async function tallyInvoiced(db: Queryable, scope: InvoiceTallyScope): Promise<InvoicedTally[]> {
  const result = await db.query<InvoicedTallyRow>(
    `select i.legal_entity, i.currency, i.customer_key, l.meter_key, count(distinct i.id)::text as documents,
            (sum(l.quantity) filter (where l.meter_key is not null))::text as quantity, sum(l.amount)::text as amount
       from invoices i join invoice_lines l on l.invoice_id = i.id
      where i.status = 'finalized' and i.period_start >= $1 and i.period_start < $2
        and ($3::text is null or i.legal_entity = $3)
      group by i.legal_entity, i.currency, i.customer_key, l.meter_key
      order by i.legal_entity, i.currency, i.customer_key, l.meter_key nulls last`,
    [scope.from, scope.to, scope.legalEntity ?? null],
  );
  return result.rows.map((row) => ({
    legalEntity: row.legal_entity,
    currency: row.currency,
    customer: row.customer_key,
    meter: row.meter_key,
    documents: Number(row.documents),
    quantity: row.quantity,
    amount: row.amount,
  }));
}

/** `<invoice id>\0<meter>` of each given document's usage and adjustment lines. */
export async function meteredLinesOf(db: Queryable, invoiceIds: readonly string[]): Promise<ReadonlySet<string>> {
  if (invoiceIds.length === 0) return new Set();
  const result = await db.query<{ invoice_id: string; meter_key: string }>(
    `select distinct invoice_id, meter_key from invoice_lines
      where invoice_id = any($1::text[]) and meter_key is not null and kind in ('usage', 'adjustment')`,
    [invoiceIds],
  );
  return new Set(result.rows.map((row) => `${row.invoice_id}\u0000${row.meter_key}`));
}
