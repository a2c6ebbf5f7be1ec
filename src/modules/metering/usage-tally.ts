import type { Queryable } from '../../platform/database/database.js';
import type { Timestamp } from '../../platform/database/row-timestamp.js';

// Reconciliation's door onto usage records: what the product's events became, per legal entity,
// currency, customer and meter, and how much of it a finalized document bills. Computed in SQL on
// numeric, one pass per period; reconciliation never names this module's tables.

export interface UsageTallyScope {
  /** Usage whose event time is in [start, end). */
  start: Date;
  end: Date;
  legalEntity?: string;
}

export interface UsageTally {
  legalEntity: string;
  currency: string;
  customer: string;
  meter: string;
  records: number;
  /** Sum of the records' values (a count meter's records count 1 each), exact decimal text. */
  quantity: string;
  /** Records a finalized document bills (`invoice_id` set) and their quantity. */
  invoicedRecords: number;
  invoicedQuantity: string;
}

interface UsageTallyRow {
  legal_entity: string;
  currency: string;
  customer_key: string;
  meter_key: string;
  records: string;
  quantity: string;
  invoiced_records: string;
  invoiced_quantity: string;
}

export async function tallyUsage(db: Queryable, scope: UsageTallyScope): Promise<UsageTally[]> {
  const result = await db.query<UsageTallyRow>(
    `select legal_entity, currency, customer_key, meter_key, count(*)::text as records,
            sum(coalesce(value, 1))::text as quantity,
            count(invoice_id)::text as invoiced_records,
            coalesce(sum(coalesce(value, 1)) filter (where invoice_id is not null), 0)::text as invoiced_quantity
       from usage_records
      where event_time >= $1 and event_time < $2 and ($3::text is null or legal_entity = $3)
      group by legal_entity, currency, customer_key, meter_key
      order by legal_entity, currency, customer_key, meter_key`,
    [scope.start, scope.end, scope.legalEntity ?? null],
  );
  return result.rows.map((row) => ({
    legalEntity: row.legal_entity,
    currency: row.currency,
    customer: row.customer_key,
    meter: row.meter_key,
    records: Number(row.records),
    quantity: row.quantity,
    invoicedRecords: Number(row.invoiced_records),
    invoicedQuantity: row.invoiced_quantity,
  }));
}

/** Records marked as billed by a document that has no line for their meter: usage no invoice line shows. */
export interface StrayRecords {
  invoiceId: string;
  meter: string;
  records: number;
  quantity: string;
}

export async function findStrayBilledRecords(
  db: Queryable,
  scope: UsageTallyScope,
  lineOf: (invoiceIds: readonly string[]) => Promise<ReadonlySet<string>>,
): Promise<StrayRecords[]> {
  const result = await db.query<{ invoice_id: string; meter_key: string; records: string; quantity: string }>(
    `select invoice_id, meter_key, count(*)::text as records, sum(coalesce(value, 1))::text as quantity
       from usage_records
      where event_time >= $1 and event_time < $2 and ($3::text is null or legal_entity = $3) and invoice_id is not null
      group by invoice_id, meter_key`,
    [scope.start, scope.end, scope.legalEntity ?? null],
  );
  const billed = await lineOf([...new Set(result.rows.map((row) => row.invoice_id))]);
  return result.rows
    .filter((row) => !billed.has(`${row.invoice_id}\u0000${row.meter_key}`))
    .map((row) => ({
      invoiceId: row.invoice_id,
      meter: row.meter_key,
      records: Number(row.records),
      quantity: row.quantity,
    }));
}

/** Usage no document bills yet, per subscription and meter: reconciliation decides which is past its period's close. */
export interface UnbilledUsage {
  legalEntity: string;
  currency: string;
  customer: string;
  subscription: string;
  meter: string;
  records: number;
  quantity: string;
  oldest: string;
}

export async function findUnbilledUsage(db: Queryable, scope: UsageTallyScope): Promise<UnbilledUsage[]> {
  const result = await db.query<{
    legal_entity: string;
    currency: string;
    customer_key: string;
    subscription_key: string;
    meter_key: string;
    records: string;
    quantity: string;
    oldest: Timestamp;
  }>(
    `select legal_entity, currency, customer_key, subscription_key, meter_key, count(*)::text as records,
            sum(coalesce(value, 1))::text as quantity, min(event_time) as oldest
       from usage_records
      where event_time >= $1 and event_time < $2 and ($3::text is null or legal_entity = $3) and invoice_id is null
      group by legal_entity, currency, customer_key, subscription_key, meter_key
      order by legal_entity, currency, customer_key, subscription_key, meter_key`,
    [scope.start, scope.end, scope.legalEntity ?? null],
  );
  return result.rows.map((row) => ({
    legalEntity: row.legal_entity,
    currency: row.currency,
    customer: row.customer_key,
    subscription: row.subscription_key,
    meter: row.meter_key,
    records: Number(row.records),
    quantity: row.quantity,
    oldest: new Date(row.oldest).toISOString(),
  }));
}
